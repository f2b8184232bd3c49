# A Secret that never reaches the state or a saved plan: the Vault AppRole
# credentials go through rendered_manifests_wo (write-only; OpenTofu or
# Terraform >= 1.11), while the manifests a reviewer should read in the
# plan stay in rendered_manifests. The state records only each file's
# SHA-256 and mode; drift of the Secret on disk is still planned and healed.
#
#   export TF_VAR_approle_secret_id=...   # at every plan and apply
#   tofu init && tofu apply
terraform {
  required_version = ">= 1.11.0"
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

# Ephemeral: never stored anywhere by the client; it may only flow into
# write-only attributes such as rendered_manifests_wo.
variable "approle_secret_id" {
  description = "Vault AppRole secret ID for the External Secrets Operator."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "wildside_gitops_tree" "platform" {
  path    = var.checkout
  cluster = var.cluster

  # Reviewed in every plan as line diffs.
  rendered_manifests = {
    "clusters/${var.cluster}/kustomization.yaml" = <<-EOT
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources:
        - ../../platform/vault
    EOT
    "platform/vault/kustomization.yaml"          = <<-EOT
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources:
        - cluster-secret-store.yaml
        - approle-secret.yaml
    EOT
    "platform/vault/cluster-secret-store.yaml"   = <<-EOT
      apiVersion: external-secrets.io/v1beta1
      kind: ClusterSecretStore
      metadata:
        name: vault
      spec:
        provider:
          vault:
            server: https://vault.vault.svc:8200
            path: secret
            version: v2
            auth:
              appRole:
                path: approle
                roleId: external-secrets
                secretRef:
                  name: vault-approle
                  namespace: external-secrets
                  key: secret-id
    EOT
  }

  # Written to the checkout, never stored: plans show only files[...].
  rendered_manifests_wo = {
    "platform/vault/approle-secret.yaml" = <<-EOT
      apiVersion: v1
      kind: Secret
      metadata:
        name: vault-approle
        namespace: external-secrets
      type: Opaque
      stringData:
        secret-id: ${jsonencode(var.approle_secret_id)}
    EOT
  }
}

output "files" {
  description = "Every managed file with its SHA-256 and mode (the Secret's hash included)."
  value       = wildside_gitops_tree.platform.files
}
