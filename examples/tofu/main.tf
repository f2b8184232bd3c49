# Two platform modules render their Kubernetes manifests; one
# wildside_gitops_tree writes them into a GitOps checkout.
terraform {
  required_providers {
    wildside = {
      source  = "registry.opentofu.org/wildside/wildside"
      version = "~> 0.2"
    }
  }
}

variable "checkout" {
  description = "The GitOps checkout directory to manage."
  type        = string
  default     = "./out/gitops"
}

variable "cluster" {
  description = "Cluster name (DNS-1123 label)."
  type        = string
  default     = "dev"
}

module "cloudnative_pg" {
  source    = "./modules/cloudnative-pg"
  cluster   = var.cluster
  instances = 2
}

module "valkey" {
  source   = "./modules/valkey"
  cluster  = var.cluster
  replicas = 1
}

locals {
  rendered_manifests = merge(
    module.cloudnative_pg.rendered_manifests,
    module.valkey.rendered_manifests,
    {
      "clusters/${var.cluster}/kustomization.yaml" = <<-EOT
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - ../../platform/sources
          - ../../platform/databases
          - ../../platform/redis
      EOT
    },
  )
  # What the resource's plan would report for the map, with no checkout:
  # the provider's check() function (OpenTofu >= 1.8.3, Terraform >= 1.11).
  findings = provider::wildside::check(local.rendered_manifests, { cluster = var.cluster })
}

# A warning in every plan while the manifests have a finding; a module's
# own tests can assert on the same list (tests/example.tftest.hcl).
check "manifests" {
  assert {
    condition     = length(local.findings) == 0
    error_message = join("\n", [for f in local.findings : "${f.key}:${f.line}:${f.column}: ${f.message}"])
  }
}

resource "wildside_gitops_tree" "platform" {
  path               = var.checkout
  cluster            = var.cluster
  rendered_manifests = local.rendered_manifests
}

output "tree_sha256" {
  description = "Digest of the whole tree; changes exactly when a file does."
  value       = wildside_gitops_tree.platform.tree_sha256
}

output "files" {
  description = "Every managed file with its SHA-256 and mode."
  value       = wildside_gitops_tree.platform.files
}

output "findings" {
  description = "The checks' findings for the rendered manifests (none expected)."
  value       = local.findings
}
