# Renders Valkey (the Redis-compatible store) for the platform's redis
# component.
variable "cluster" {
  type = string
}

variable "replicas" {
  type    = number
  default = 1
}

output "rendered_manifests" {
  value = {
    "platform/redis/kustomization.yaml" = <<-EOT
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources:
        - valkey.yaml
    EOT
    "platform/redis/valkey.yaml" = <<-EOT
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: valkey
        namespace: redis
        labels:
          app.kubernetes.io/part-of: ${var.cluster}
      spec:
        serviceName: valkey
        replicas: ${var.replicas}
        selector:
          matchLabels:
            app: valkey
        template:
          metadata:
            labels:
              app: valkey
          spec:
            containers:
              - name: valkey
                image: valkey/valkey:8.1
                ports:
                  - containerPort: 6379
    EOT
  }
}
