#!/usr/bin/env bash
# Builds a GRUB rescue image that boots the monitor on BIOS and UEFI PCs.
#
#   mkiso.sh [--cmdline "MONITOR OPTIONS"] [--cfg FILE] [--module "FILE [ARGS]"]...
#            [--default N] [--halt-on-error] ELF OUT.iso
#
# --cmdline  the monitor's command line, written into grub.cfg (default: empty, the
#            monitor's defaults)
# --cfg      where to keep the generated grub.cfg (default: next to OUT.iso, as OUT.cfg);
#            written only when its content changes, so make can depend on it
# --module   a Multiboot module (a guest kernel or a data blob) with its command line;
#            the file is copied to /boot/ on the image; may be repeated
# --default  the menu entry GRUB boots: 0 (the default) Multiboot 2, 1 Multiboot 1
# --halt-on-error  when GRUB cannot load the monitor, power the machine off instead of
#            waiting at GRUB's menu (for the tests: QEMU then stops at once)
#
# grub-mkrescue (Debian grub-common, with grub-pc-bin and grub-efi-amd64-bin installed,
# and xorriso and mtools) makes a hybrid image: El Torito boot records for BIOS and UEFI
# plus an MBR/GPT, so the same file boots from a CD, in QEMU, and from a USB stick it was
# written to with dd.
#
# The grub.cfg: no menu delay; GRUB's own terminal on the first serial port as well as on
# the screen; the default entry loads the monitor with Multiboot 2.  On BIOS the display
# stays in VGA text mode (gfxpayload=text, set after the multiboot2 command, which would
# otherwise replace it with the framebuffer request of the image's header).  On UEFI,
# where there is no text mode, GRUB sets a mode through the firmware's GOP, as the
# header asks (32 bits per pixel, any size), and hands that framebuffer over.  A second
# entry loads the monitor with Multiboot 1, for when Multiboot 2 is not wanted.
set -euo pipefail

usage() {
    echo "usage: $0 [--cmdline OPTIONS] [--cfg FILE] [--module 'FILE [ARGS]']... [--default 0|1]" \
         "[--halt-on-error] ELF OUT.iso" >&2
    exit 2
}

cmdline=""
cfg=""
default=0
halt_on_error=0
modules=()
while [ $# -gt 0 ]; do
    case "$1" in
        --cmdline) [ $# -ge 2 ] || usage; cmdline=$2; shift 2 ;;
        --cfg) [ $# -ge 2 ] || usage; cfg=$2; shift 2 ;;
        --module) [ $# -ge 2 ] || usage; modules+=("$2"); shift 2 ;;
        --default)
            if [ $# -lt 2 ] || ! [[ "$2" =~ ^[01]$ ]]; then usage; fi
            default=$2
            shift 2
            ;;
        --halt-on-error) halt_on_error=1; shift ;;
        -h | --help) usage ;;
        --*) echo "mkiso: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || usage
elf=$1
out=$2
cfg=${cfg:-${out%.iso}.cfg}

[ -r "$elf" ] || { echo "mkiso: cannot read the monitor image $elf (run make first)" >&2; exit 1; }
for tool in grub-mkrescue xorriso mformat; do
    command -v "$tool" >/dev/null ||
        { echo "mkiso: $tool not found; run tests/tools/install-deps.sh" >&2; exit 1; }
done
for platform in i386-pc x86_64-efi; do
    [ -d "/usr/lib/grub/$platform" ] ||
        { echo "mkiso: GRUB for $platform is missing (Debian: grub-pc-bin, grub-efi-amd64-bin)" >&2; exit 1; }
done

# Quotes one word for grub.cfg: plain words stay as they are, others go in single quotes.
grub_quote() {
    local w=$1
    if [[ "$w" =~ ^[A-Za-z0-9_=,.:/@%+-]+$ ]]; then
        printf '%s' "$w"
    else
        printf "'%s'" "${w//\'/\'\\\'\'}"
    fi
}

# Quotes a whole command line word by word (split at blanks, as the monitor does).
grub_quote_line() {
    local w sep=""
    local -a words
    read -r -a words <<<"$1"
    for w in ${words[@]+"${words[@]}"}; do
        printf '%s' "$sep"
        grub_quote "$w"
        sep=" "
    done
}

args=$(grub_quote_line "$cmdline")
module_lines=""
module_files=()
for m in ${modules[@]+"${modules[@]}"}; do
    read -r mfile margs <<<"$m"
    [ -r "$mfile" ] || { echo "mkiso: cannot read module $mfile" >&2; exit 1; }
    module_files+=("$mfile")
    mline="/boot/$(basename "$mfile")"
    [ -n "${margs:-}" ] && mline="$mline $(grub_quote_line "$margs")"
    module_lines+="$mline"$'\n'
done

# One loader command (or boot); with --halt-on-error the machine is powered off when it
# fails, instead of GRUB waiting for a key and returning to its menu.
load() {
    if [ "$halt_on_error" = 1 ]; then
        printf '    if ! %s; then ringvisor_failed; fi\n' "$1"
    else
        printf '    %s\n' "$1"
    fi
}

# shellcheck disable=SC2016  # $grub_platform is GRUB's variable, written as it is
entry() { # $1 = title, $2 = multiboot command, $3 = module command
    printf 'menuentry "%s" {\n' "$1"
    printf '    echo "Loading Ringvisor..."\n'
    load "$2 /boot/$(basename "$elf")${args:+ $args}"
    while IFS= read -r ml; do
        [ -n "$ml" ] && load "$3 $ml"
    done <<<"$module_lines"
    # After the multiboot command, which sets gfxpayload from the image's header.
    printf '    if [ "$grub_platform" = pc ]; then\n'
    printf '        set gfxpayload=text\n'
    printf '    fi\n'
    load boot
    printf '}\n'
}

mkdir -p "$(dirname "$cfg")"
{
    echo "# Generated by tests/qemu/mkiso.sh; edits are lost on the next build."
    echo "set timeout=0"
    echo "set default=$default"
    echo "# GRUB's terminal on COM1 too, when the machine has one."
    echo "if serial --unit=0 --speed=115200; then"
    echo "    terminal_input --append serial"
    echo "    terminal_output --append serial"
    echo "fi"
    echo "# UEFI: the firmware's graphics protocols only (not GRUB's own drivers for"
    echo "# particular cards), so the framebuffer handed over is the GOP's."
    echo "if [ \"\$grub_platform\" = efi ]; then"
    echo "    insmod efi_gop"
    echo "    insmod efi_uga"
    echo "fi"
    if [ "$halt_on_error" = 1 ]; then
        echo "function ringvisor_failed {"
        echo "    echo \"GRUB: could not boot Ringvisor; powering off\""
        echo "    halt"
        echo "}"
    fi
    echo
    entry "Ringvisor" multiboot2 module2
    echo
    entry "Ringvisor (Multiboot 1, for old loaders)" multiboot module
} >"$cfg.tmp"
if cmp -s "$cfg.tmp" "$cfg"; then
    rm -f "$cfg.tmp"
else
    mv "$cfg.tmp" "$cfg"
fi

stage=$(mktemp -d "${out%.iso}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/boot/grub"
cp "$elf" "$stage/boot/"
cp "$cfg" "$stage/boot/grub/grub.cfg"
for f in ${module_files[@]+"${module_files[@]}"}; do
    cp "$f" "$stage/boot/"
done

mkdir -p "$(dirname "$out")"
if ! grub-mkrescue -o "$out.tmp" "$stage" >"$out.log" 2>&1; then
    cat "$out.log" >&2
    rm -f "$out.tmp"
    echo "mkiso: grub-mkrescue failed" >&2
    exit 1
fi
rm -f "$out.log"
mv "$out.tmp" "$out"
echo "  ISO     $out"
