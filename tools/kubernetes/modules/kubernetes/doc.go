// Package node pins the Kubernetes node and control-plane binaries that tools/kubernetes/build.sh
// builds (k8s.io/kubernetes at the version of go.mod). It holds no code: the binaries are built
// with `go build k8s.io/kubernetes/cmd/<name>` against this module's go.mod and go.sum.
package node
