#!/usr/bin/env bash
# Builds the Next Chat images from docker/Dockerfile and tags them
#   <registry>/next-chat-hub:<tag>
#   <registry>/next-chat-configurator:<tag>
#   <registry>/next-chat-auto:<tag>
# (the names the Helm chart uses: set global.imageRegistry=<registry> and,
# when the tag is not the chart's appVersion, hub.image.tag and friends).
set -euo pipefail

usage() {
  cat <<USAGE
Usage: ./build.sh [--registry REGISTRY] [--tag TAG] [--push] [--platform LIST] [--only NAME]

  --registry REGISTRY  image name prefix, e.g. registry.example.com/team (default: ghcr.io/next-chat,
                       the chart's default; env NEXT_CHAT_REGISTRY)
  --tag TAG            image tag (default: the version in package.json, which is the chart's
                       appVersion; env NEXT_CHAT_TAG)
  --push               push the images after building them (log in to the registry first)
  --platform LIST      e.g. linux/amd64,linux/arm64 (needs docker buildx; implies --push
                       for more than one platform)
  --only NAME          build only hub, configurator or auto
  -h, --help           this text
USAGE
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
registry=${NEXT_CHAT_REGISTRY:-ghcr.io/next-chat}
tag=${NEXT_CHAT_TAG:-$(node -p "require('$root/package.json').version")}
push=false
platform=""
only=""

while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry=${2:?--registry needs a value}; shift 2 ;;
    --registry=*) registry=${1#*=}; shift ;;
    --tag) tag=${2:?--tag needs a value}; shift 2 ;;
    --tag=*) tag=${1#*=}; shift ;;
    --push) push=true; shift ;;
    --platform) platform=${2:?--platform needs a value}; shift 2 ;;
    --platform=*) platform=${1#*=}; shift ;;
    --only) only=${2:?--only needs a value}; shift 2 ;;
    --only=*) only=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

registry=${registry%/}
case "$only" in ""|hub|configurator|auto) ;; *) echo "build.sh: --only must be hub, configurator or auto" >&2; exit 2 ;; esac
if ! [[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  echo "build.sh: '$tag' is not a valid image tag" >&2; exit 2
fi

targets=(hub configurator auto)
[ -n "$only" ] && targets=("$only")

for target in "${targets[@]}"; do
  image="${registry:+$registry/}next-chat-$target:$tag"
  echo "==> $image" >&2
  if [ -n "$platform" ]; then
    # Multi-platform images cannot be loaded into the local engine: buildx pushes them.
    args=(buildx build --platform "$platform")
    if $push; then args+=(--push); elif [[ "$platform" != *,* ]]; then args+=(--load); else
      echo "build.sh: more than one --platform needs --push" >&2; exit 2
    fi
  else
    args=(build)
  fi
  docker "${args[@]}" \
    --file "$root/docker/Dockerfile" \
    --target "$target" \
    --tag "$image" \
    --label "org.opencontainers.image.title=next-chat-$target" \
    --label "org.opencontainers.image.version=$tag" \
    --label "org.opencontainers.image.revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)" \
    "$root"
  if $push && [ -z "$platform" ]; then
    docker push "$image"
  fi
done
