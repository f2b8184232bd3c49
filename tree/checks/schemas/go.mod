// Pins of the Kubernetes object schemas that scripts/install-schemas
// downloads through the Go module proxy: the CRDs of every Flux
// controller (config/crd/bases/*.yaml of each root module) and the
// Kubernetes OpenAPI v3 documents (api/openapi-spec/v3/*.json).
// Nothing builds this module; go.sum holds the h1: sums the script checks
// every downloaded zip against.
module wildside.invalid/schemas

go 1.26

require (
	// The Flux controllers at the versions flux2 v2.9.4's go.mod requires
	// for their api modules (github.com/fluxcd/<controller>/api). v2.9.5 is
	// newer, but the proxy refuses four of its controllers' root modules
	// (notification v1.9.4, image-reflector and image-automation v1.2.5,
	// source-watcher/v2 v2.2.4): "This module version is not available".
	github.com/fluxcd/helm-controller v1.6.3
	github.com/fluxcd/image-automation-controller v1.2.4
	github.com/fluxcd/image-reflector-controller v1.2.4
	github.com/fluxcd/kustomize-controller v1.9.4
	github.com/fluxcd/notification-controller v1.9.3
	github.com/fluxcd/source-controller v1.9.4
	github.com/fluxcd/source-watcher/v2 v2.2.3
	// Kubernetes v1.34.2.
	k8s.io/kubernetes v1.34.2
)
