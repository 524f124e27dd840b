//go:build tools

// Package tools pins the main packages this module builds: kube-apiserver and kubectl.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
