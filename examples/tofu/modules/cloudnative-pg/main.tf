# Renders a CloudNativePG cluster for the platform's databases, plus the
# Helm repository it is installed from.
variable "cluster" {
  type = string
}

variable "instances" {
  type    = number
  default = 1
}

locals {
  name = "${var.cluster}-pg"
}

output "rendered_manifests" {
  value = {
    "platform/sources/cloudnative-pg.yaml" = <<-EOT
      apiVersion: source.toolkit.fluxcd.io/v1
      kind: HelmRepository
      metadata:
        name: cloudnative-pg
        namespace: flux-system
      spec:
        interval: 1h
        url: https://cloudnative-pg.github.io/charts
    EOT
    # clusters/<cluster>/kustomization.yaml lists platform/sources: kustomize
    # needs a kustomization there (the provider's plan-time checks say so).
    "platform/sources/kustomization.yaml" = <<-EOT
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources:
        - cloudnative-pg.yaml
    EOT
    "platform/databases/kustomization.yaml" = <<-EOT
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources:
        - cluster.yaml
    EOT
    "platform/databases/cluster.yaml" = <<-EOT
      apiVersion: postgresql.cnpg.io/v1
      kind: Cluster
      metadata:
        name: ${local.name}
        namespace: databases
      spec:
        instances: ${var.instances}
        storage:
          size: 10Gi
    EOT
  }
}
