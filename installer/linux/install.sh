#!/bin/sh
# Install Ops Console for the current user (no root), or remove it again.
#
#   ./install.sh               install or upgrade from this unpacked tarball
#   ./install.sh --uninstall   remove it (also: ~/.local/opt/opsconsole/uninstall.sh)
#
# What goes where (XDG defaults; XDG_DATA_HOME is honoured):
#   ~/.local/opt/opsconsole/                       the program (a self-contained bundle)
#   ~/.local/bin/opsconsole                        a symlink to it, for the shell
#   ~/.local/share/applications/opsconsole.desktop the menu entry
#   ~/.local/share/icons/hicolor/{scalable,256x256}/apps/opsconsole.{svg,png}
# The user's data (cache, keys, settings) is never touched by either action.
# No cache refresh is needed: desktops watch these folders, and we add no MIME types.
set -eu

APP=opsconsole
OPT_DIR="$HOME/.local/opt/$APP"
BIN_LINK="$HOME/.local/bin/$APP"
DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"
DESKTOP_FILE="$DATA_HOME/applications/$APP.desktop"
ICON_SVG="$DATA_HOME/icons/hicolor/scalable/apps/$APP.svg"
ICON_PNG="$DATA_HOME/icons/hicolor/256x256/apps/$APP.png"
HERE="$(cd "$(dirname "$0")" && pwd)"

uninstall() {
    # Only remove the bin link if it is ours: never a file the user put there.
    if [ -L "$BIN_LINK" ] && [ "$(readlink "$BIN_LINK")" = "$OPT_DIR/$APP" ]; then
        rm -f "$BIN_LINK"
    fi
    rm -f "$DESKTOP_FILE" "$ICON_SVG" "$ICON_PNG"
    rm -rf "$OPT_DIR"
    echo "Ops Console removed. Your data (cache, keys, settings) was kept."
}

install() {
    if [ ! -x "$HERE/$APP/$APP" ]; then
        echo "error: $HERE/$APP/$APP not found; run install.sh from the unpacked tarball" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$OPT_DIR")" "$(dirname "$BIN_LINK")" "$(dirname "$DESKTOP_FILE")" \
        "$(dirname "$ICON_SVG")" "$(dirname "$ICON_PNG")"
    # Copy beside the old version, then swap, so an upgrade never leaves half a program.
    rm -rf "$OPT_DIR.new"
    cp -R "$HERE/$APP" "$OPT_DIR.new"
    cp "$HERE/install.sh" "$OPT_DIR.new/uninstall.sh"
    chmod 755 "$OPT_DIR.new/uninstall.sh"
    rm -rf "$OPT_DIR"
    mv "$OPT_DIR.new" "$OPT_DIR"
    ln -sfn "$OPT_DIR/$APP" "$BIN_LINK"
    cp "$HERE/$APP.svg" "$ICON_SVG"
    cp "$HERE/$APP.png" "$ICON_PNG"
    # Menus do not search ~/.local/bin: point Exec and TryExec at the program itself
    # (Exec quoted: a home folder may contain spaces).
    sed -e "s|^Exec=$APP\$|Exec=\"$OPT_DIR/$APP\"|" -e "s|^TryExec=$APP\$|TryExec=$OPT_DIR/$APP|" \
        "$HERE/$APP.desktop" >"$DESKTOP_FILE"
    echo "Ops Console installed in $OPT_DIR"
    case ":$PATH:" in
        *":$HOME/.local/bin:"*) ;;
        *) echo "note: add ~/.local/bin to PATH to run '$APP' from a shell" ;;
    esac
}

case "${1:-}" in
    --uninstall) uninstall ;;
    "")
        if [ "$(basename "$0")" = uninstall.sh ]; then uninstall; else install; fi ;;
    *)
        echo "usage: $0 [--uninstall]" >&2
        exit 2 ;;
esac
