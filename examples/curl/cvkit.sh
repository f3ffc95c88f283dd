#!/usr/bin/env bash
# cvkit with nothing but curl: every endpoint, and each way to send an image (raw body, JSON with a URL, multipart).
#
#   npm start                                   # the worker on http://127.0.0.1:8787 (another terminal)
#   examples/curl/cvkit.sh photo.jpg            # any JPEG/PNG/WebP/GIF/BMP
#
# Environment: CVKIT_BASE_URL (default http://127.0.0.1:8787), CVKIT_API_KEY (when the worker has API_KEYS),
# IMAGE_URL (an http(s) URL of an image for the JSON calls; the worker fetches it. Default: the photo as a data: URL),
# OUT_DIR (where the annotated pictures go, default the current directory).
# Every call is made even if one fails; the exit code is 1 if any failed.
set -uo pipefail

image=${1:?usage: cvkit.sh <image file>}
base=${CVKIT_BASE_URL:-http://127.0.0.1:8787}
out=${OUT_DIR:-.}
auth=()
if [ -n "${CVKIT_API_KEY:-}" ]; then auth=(-H "authorization: Bearer $CVKIT_API_KEY"); fi

case "${image,,}" in
  *.jpg | *.jpeg) type=image/jpeg ;;
  *.png) type=image/png ;;
  *.webp) type=image/webp ;;
  *.gif) type=image/gif ;;
  *.bmp) type=image/bmp ;;
  *) type=application/octet-stream ;; # the worker recognises the format from the bytes anyway
esac
# For the JSON calls: a URL the worker can fetch, or else the photo itself as a data: URL.
url=${IMAGE_URL:-data:$type;base64,$(base64 -w0 "$image")}

failed=0
# call <title> <curl arguments...>: prints "== title", then the answer (or where it was saved) and the HTTP status.
call() {
  local title=$1
  shift
  echo "== $title"
  if ! curl --silent --show-error --fail-with-body "${auth[@]}" "$@" --write-out '\n(HTTP %{http_code})\n'; then
    failed=$((failed + 1))
  fi
}
json() { printf '{"image": "%s"%s}' "$url" "${1:+, $1}"; }

call 'health' "$base/health"
call 'models' "$base/v1/models"

# classify: what is this?
call 'classify: raw body, options in the query' -H "content-type: $type" --data-binary "@$image" "$base/v1/classify?top_k=3"
call 'classify: JSON with an image URL' -H 'content-type: application/json' --data-binary @- "$base/v1/classify" <<<"$(json '"top_k": 3')"
call 'classify: multipart' -F "image=@$image" -F top_k=3 "$base/v1/classify"

# detect: what is where? Boxes in pixels; format=image answers with the annotated photo.
call 'detect: raw body' -H "content-type: $type" --data-binary "@$image" "$base/v1/detect?threshold=0.4"
call 'detect: JSON with an image URL' -H 'content-type: application/json' --data-binary @- "$base/v1/detect" <<<"$(json '"threshold": 0.4, "max_detections": 10')"
call 'detect: multipart' -F "image=@$image" -F threshold=0.4 "$base/v1/detect"
call "detect: annotated photo -> $out/detect.png" -H "content-type: $type" -H 'accept: image/png' --data-binary "@$image" \
  "$base/v1/detect?format=image" -o "$out/detect.png"

# segment: which pixel is what? mask=none keeps the JSON short; png (default) or rle return the class map.
call 'segment: raw body' -H "content-type: $type" --data-binary "@$image" "$base/v1/segment?mask=none"
call 'segment: JSON with an image URL' -H 'content-type: application/json' --data-binary @- "$base/v1/segment" <<<"$(json '"mask": "none"')"
call 'segment: multipart' -F "image=@$image" -F mask=none "$base/v1/segment"
call "segment: mask overlay -> $out/segment.png" -F "image=@$image" -F format=image "$base/v1/segment" -o "$out/segment.png"

echo "== done: $failed failed"
[ "$failed" -eq 0 ]
