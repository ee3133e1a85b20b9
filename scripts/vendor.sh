#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm packages pinned in package.json.
# The results are committed, so `make run` never needs npm or the network.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --no-save >/dev/null
src=node_modules/govuk-frontend/dist/govuk
dst=static/vendor/govuk-frontend
rm -rf "$dst" && mkdir -p "$dst"
cp "$src"/govuk-frontend.min.css "$src"/govuk-frontend.min.css.map \
   "$src"/govuk-frontend.min.js "$src"/govuk-frontend.min.js.map "$dst"/
cp -r "$src"/assets "$dst"/assets
# The npm package carries its licence in its README and package.json, not as a file.
{
  echo "govuk-frontend $(node -p "require('./node_modules/govuk-frontend/package.json').version") — licence: $(node -p "require('./node_modules/govuk-frontend/package.json').license")"
  echo
  sed -n '/^## Licence/,/^## /p' node_modules/govuk-frontend/README.md | sed '$d'
  cat <<'MIT'
The MIT License (MIT)

Copyright (c) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
MIT
} > "$dst"/LICENSE.txt
# The CSS refers to /assets/...; relative URLs keep working under hashed static names.
sed -i 's#url(/assets/#url(assets/#g' "$dst"/govuk-frontend.min.css
mkdir -p tests/e2e/vendor
cp node_modules/axe-core/axe.min.js tests/e2e/vendor/axe.min.js
cp node_modules/axe-core/LICENSE tests/e2e/vendor/axe-core-LICENSE
echo "vendored govuk-frontend $(node -p "require('./node_modules/govuk-frontend/package.json').version") and axe-core $(node -p "require('./node_modules/axe-core/package.json').version")"
