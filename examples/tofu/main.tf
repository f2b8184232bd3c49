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

resource "wildside_gitops_tree" "platform" {
  path    = var.checkout
  cluster = var.cluster
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
}

output "tree_sha256" {
  description = "Digest of the whole tree; changes exactly when a file does."
  value       = wildside_gitops_tree.platform.tree_sha256
}

output "files" {
  description = "Every managed file with its SHA-256 and mode."
  value       = wildside_gitops_tree.platform.files
}
