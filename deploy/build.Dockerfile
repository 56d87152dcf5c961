# Variant of deploy/Dockerfile that compiles the binary inside Docker, for a
# machine without Go. Needs BuildKit (the default builder since Docker 23).
#
# Its one network step is pulling the Go base image (skipped when the image
# is already present locally). Go modules are not downloaded: they come from
# the host's module cache, passed as a named build context and mounted read
# only, with GOPROXY=off (and GOTOOLCHAIN=local: no toolchain download
# either), so a missing module is an error, not a download:
#
#   go mod download      # once, on a machine with the module proxy
#   docker build -f deploy/build.Dockerfile \
#     --build-context gomodcache="$(go env GOMODCACHE)" -t coinai:dev .
#
# The binary records no git revision (.git is not in the build context):
# coinai reports revision "unknown". Build on the host (deploy/Dockerfile)
# when the revision matters.
ARG GO_IMAGE=golang:1.26
FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=bind,from=gomodcache,target=/go/pkg/mod \
    CGO_ENABLED=0 GOPROXY=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
    go build -trimpath -buildvcs=false -o /out/coinai ./cmd/coinai

FROM scratch
COPY --from=build /out/coinai /coinai
COPY scenarios/*.toml /scenarios/
COPY scenarios/sweeps/*.toml /scenarios/sweeps/
USER 65532:65532
ENTRYPOINT ["/coinai"]
