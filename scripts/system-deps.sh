#!/usr/bin/env bash
# Install the Debian packages Casetrail needs, when they are missing.
#   scripts/system-deps.sh run    build tools for PyICU (followthemoney's dependency), and the
#                                 document tools: tesseract (offline OCR, English model),
#                                 ffmpeg/ffprobe (media metadata, keyframes), libmagic (type
#                                 detection by content), catdoc (text of Word .doc and
#                                 PowerPoint .ppt files)
#   scripts/system-deps.sh test   the above, plus PostgreSQL and Chromium for the test suite
# Installing needs root; without it the script names the missing packages and stops.
set -euo pipefail

profile="${1:-run}"
missing=()

have_package() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

for package in libicu-dev pkg-config g++ tesseract-ocr tesseract-ocr-eng ffmpeg libmagic1 catdoc; do
    have_package "$package" || missing+=("$package")
done

if [ "$profile" = "test" ]; then
    if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        missing+=(postgresql)
    fi
    [ -x /usr/bin/chromium ] || missing+=(chromium)
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
