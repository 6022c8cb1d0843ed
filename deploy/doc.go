// Package deploy holds no code: its directory holds the container image
// (Dockerfile) and the Kubernetes manifests (k8s/) of sharded load
// generators, described in docs/SHARDS.md, and its tests check them: the
// manifests' structure against the image and package loadtest's
// variables, and the image's test binary run as an Indexed Job's pods
// would run it, in local processes.
package deploy
