# Shared by scripts/run, scripts/test and .ci/run: sourced, not executed.
# Checks the machine has what the addon needs and builds an addons path in
# which this checkout is named webhook_automation, whatever its folder name.

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ADDON_NAME=webhook_automation

die() {
    echo "ERROR: $*" >&2
    exit 1
}

require_odoo() {
    python3 -c "import odoo" 2>/dev/null \
        || die "Odoo 18.0 is not importable by python3. Install Odoo 18.0 (see README.rst, 'Installation') so that 'python3 -c \"import odoo\"' works."
    local version
    version=$(python3 -c "import odoo.release as r; print(r.serie)")
    [ "$version" = "18.0" ] || die "Odoo 18.0 is required, python3 imports Odoo $version."
    ODOO_DIR=$(python3 -c "import os, odoo; print(os.path.dirname(os.path.dirname(odoo.__file__)))")
    # a source checkout keeps the addons beside the odoo package, a packaged
    # install (deb, pip wheel) inside odoo/addons
    ODOO_ADDONS=$(python3 - <<'PY'
import os
import odoo
package = os.path.dirname(odoo.__file__)
candidates = [os.path.join(os.path.dirname(package), "addons"), os.path.join(package, "addons")]
print(",".join(p for p in candidates if os.path.isdir(os.path.join(p, "base_automation"))))
PY
)
    [ -n "$ODOO_ADDONS" ] || die "Odoo's addons (base_automation, sale, contacts) were not found next to the odoo package."
}

require_queue_job() {
    python3 -c "import importlib.util as u, odoo.addons; assert u.find_spec('odoo.addons.queue_job')" 2>/dev/null \
        || die "OCA queue_job is missing: pip install -r requirements.txt"
}

require_postgres() {
    command -v pg_isready >/dev/null || die "PostgreSQL client tools (pg_isready) are missing."
    if ! pg_isready -q; then
        echo "PostgreSQL is not answering: starting it..."
        if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
            for version in $(ls /etc/postgresql); do
                pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
            done
        fi
        for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
        pg_isready -q || die "PostgreSQL is not running and could not be started."
    fi
}

# Sets ADDONS_PATH: Odoo's addons and a folder outside the checkout (a link
# inside it would make tools walk the checkout forever) holding a link named
# webhook_automation to this checkout; one such folder per checkout.
build_addons_path() {
    local link_dir
    link_dir="${TMPDIR:-/tmp}/webhook_automation-addons-$(printf %s "$REPO_DIR" | md5sum | cut -c1-12)"
    mkdir -p "$link_dir"
    ln -sfn "$REPO_DIR" "$link_dir/$ADDON_NAME"
    ADDONS_PATH="$ODOO_ADDONS,$link_dir"
    ADDON_DIR="$link_dir/$ADDON_NAME"
}

odoo_bin() {
    python3 -m odoo "$@"
}
