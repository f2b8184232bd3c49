terraform {
  required_providers {
    wildside = {
      source  = "registry.opentofu.org/wildside/wildside"
      version = "0.1.0"
    }
  }
}

locals {
  manifests = { for f in fileset("${path.module}/src", "**") : f => file("${path.module}/src/${f}") }
}

resource "wildside_gitops_tree" "t" {
  path               = "checkout"
  cluster            = "dev"
  rendered_manifests = local.manifests
  sensitive_manifests = { "clusters/dev/secret.yaml" = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n" }
}
