# shellcheck shell=bash disable=SC2034  # (the variables are used by the scripts that source this)
# Shared helpers for the QEMU harness: sourced by run-test.sh and run-tests.sh, never run.
#
# Environment (all optional; tests/qemu.mk passes its own values):
#   BUILD      build directory (default build)
#   ELF        the monitor image (default $BUILD/ringvisor.elf)
#   QEMU       QEMU binary (default qemu-system-x86_64); always run with TCG, never KVM
#   OVMF_CODE, OVMF_VARS   split UEFI firmware (read-only code, template of the variable store)
#   OVMF_BIOS  single-file UEFI firmware, used when the split pair is absent
#   LIST       test list (default tests/qemu/tests.list)

BUILD=${BUILD:-build}
ELF=${ELF:-$BUILD/ringvisor.elf}
QEMU=${QEMU:-qemu-system-x86_64}
LIST=${LIST:-tests/qemu/tests.list}
DEBUG_EXIT_PORT=0xf4

die() {
    echo "qemu-tests: error: $*" >&2
    exit 2
}

# ----------------------------------------------------------------- UEFI firmware ----
# Debian/Ubuntu's ovmf: the 4 MiB split pair first, then the single-file image.
detect_ovmf() {
    if [ -z "${OVMF_CODE:-}" ] && [ -z "${OVMF_BIOS:-}" ]; then
        if [ -r /usr/share/OVMF/OVMF_CODE_4M.fd ] && [ -r /usr/share/OVMF/OVMF_VARS_4M.fd ]; then
            OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
            OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
        elif [ -r /usr/share/ovmf/OVMF.fd ]; then
            OVMF_BIOS=/usr/share/ovmf/OVMF.fd
        fi
    fi
    OVMF_CODE=${OVMF_CODE:-}
    OVMF_VARS=${OVMF_VARS:-}
    OVMF_BIOS=${OVMF_BIOS:-}
}

# Prints the QEMU firmware arguments for a UEFI boot, one per line; $1 is where the
# writable copy of the variable store goes.  Returns 1 when no firmware is installed.
ovmf_args() {
    detect_ovmf
    if [ -n "$OVMF_CODE" ] && [ -n "$OVMF_VARS" ]; then
        cp "$OVMF_VARS" "$1"
        printf '%s\n' -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
            -drive "if=pflash,format=raw,unit=1,file=$1"
    elif [ -n "$OVMF_BIOS" ]; then
        printf '%s\n' -bios "$OVMF_BIOS"
    else
        return 1
    fi
}

# ------------------------------------------------------------------ GRUB images ----
# The ISO for a monitor command line.  GRUB reads its grub.cfg from the image, so a test
# with its own command line needs its own image.  grub-mkrescue takes well under a second,
# so each distinct command line gets one image, cached under $BUILD/test-iso/ by a hash of
# the command line and rebuilt when the monitor or the scripts that make it are newer.
# Most tests share one command line, hence one image.  When GRUB cannot load the monitor
# the image powers the machine off, so the test ends at once instead of at its timeout.  $2 is the GRUB menu entry to boot
# (0: Multiboot 2, 1: Multiboot 1).  Prints the image's path.
iso_for_cmdline() {
    local cmdline=$1 entry=${2:-0} key dir iso m
    local -a modargs=()
    shift 2 || shift $#
    # Further arguments are Multiboot modules, "FILE [ARGS]": part of the image and its key.
    for m in "$@"; do
        modargs+=(--module "$m")
    done
    key=$(printf '%s\n%s\n%s' "$entry" "$cmdline" "$*" | sha1sum | cut -c1-12)
    dir=$BUILD/test-iso
    iso=$dir/$key.iso
    mkdir -p "$dir"
    (
        # Two tests in parallel may want the same image: one builds it, the other waits.
        flock 9
        stale=0
        for m in "$@"; do
            [ "${m%% *}" -nt "$iso" ] && stale=1
        done
        if [ ! -s "$iso" ] || [ "$ELF" -nt "$iso" ] || [ tests/qemu/mkiso.sh -nt "$iso" ] ||
            [ "$stale" = 1 ]; then
            tests/qemu/mkiso.sh --cmdline "$cmdline" --default "$entry" --halt-on-error \
                ${modargs[@]+"${modargs[@]}"} \
                --cfg "$dir/$key.cfg" \
                "$ELF" "$iso" \
                >"$dir/$key.mkiso.log" 2>&1 ||
                { cat "$dir/$key.mkiso.log" >&2; exit 1; }
        fi
    ) 9>"$dir/$key.lock" || return 1
    echo "$iso"
}

# ------------------------------------------------------------------ test list ------
# Parses $LIST into:
#   TESTS            test names in file order
#   T_PATH[n] T_MEM[n] T_CPUS[n] T_STATUS[n] T_CMDLINE[n]
#   T_BODY[n]        the test's indented directive lines
#   S_BODY[s]        the directive lines of each "set"
# The format is described at the top of tests/qemu/tests.list.
declare -a TESTS=()
#   T_ENTRY[n]       the GRUB menu entry of an "entry" line (0 when none)
declare -A T_PATH=() T_MEM=() T_CPUS=() T_STATUS=() T_CMDLINE=() T_BODY=() S_BODY=()
declare -A T_ENTRY=()

parse_list() {
    local line lineno=0 kind="" cur="" word rest
    local name path mem cpus status cmdline
    [ -r "$LIST" ] || die "cannot read the test list $LIST"
    while IFS= read -r line || [ -n "$line" ]; do
        lineno=$((lineno + 1))
        line=${line%$'\r'}
        # Blank lines and comments (a '#' as the first non-blank character).
        [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
        if [[ "$line" =~ ^[[:space:]] ]]; then
            line=${line#"${line%%[![:space:]]*}"}
            word=${line%%[[:space:]]*}
            case "$word" in
                use | expect | reject | memory | timeout | skip | qemu | module) ;;
                wait | send | quiet) ;;
                entry)
                    [ "$kind" = test ] || die "$LIST:$lineno: 'entry' belongs to a test, not a set"
                    [[ "$line" =~ ^entry[[:space:]]+([01])[[:space:]]*$ ]] ||
                        die "$LIST:$lineno: entry takes 0 (Multiboot 2) or 1 (Multiboot 1)"
                    [ "${T_PATH[$cur]}" != kernel ] ||
                        die "$LIST:$lineno: 'entry' is for the bios and uefi paths (GRUB)"
                    T_ENTRY[$cur]=${BASH_REMATCH[1]}
                    ;;
                *) die "$LIST:$lineno: unknown directive '$word'" ;;
            esac
            case "$kind" in
                test) T_BODY[$cur]+="$line"$'\n' ;;
                set) S_BODY[$cur]+="$line"$'\n' ;;
                *) die "$LIST:$lineno: directive outside a test or set" ;;
            esac
            continue
        fi
        read -r word rest <<<"$line"
        if [ "$word" = set ]; then
            [[ "$rest" =~ ^[A-Za-z0-9_.-]+$ ]] || die "$LIST:$lineno: bad set name '$rest'"
            [ -z "${S_BODY[$rest]+x}" ] || die "$LIST:$lineno: set '$rest' defined twice"
            kind=set cur=$rest
            S_BODY[$cur]=""
            continue
        fi
        read -r name path mem cpus status cmdline <<<"$line"
        [[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || die "$LIST:$lineno: bad test name '$name'"
        [ -z "${T_PATH[$name]+x}" ] || die "$LIST:$lineno: test '$name' listed twice"
        case "$path" in kernel | bios | uefi) ;; *) die "$LIST:$lineno: unknown boot path '$path'" ;; esac
        [[ "$mem" =~ ^[0-9]+$ ]] || die "$LIST:$lineno: memory '$mem' is not a number of MiB"
        [[ "$cpus" =~ ^[0-9]+$ ]] || die "$LIST:$lineno: CPU count '$cpus' is not a number"
        case "$status" in 0 | 1 | 3 | hang) ;; *) die "$LIST:$lineno: bad expected status '$status'" ;; esac
        [ "$cmdline" = "-" ] && cmdline=""
        TESTS+=("$name")
        T_PATH[$name]=$path T_MEM[$name]=$mem T_CPUS[$name]=$cpus
        T_STATUS[$name]=$status T_CMDLINE[$name]=$cmdline T_BODY[$name]="" T_ENTRY[$name]=0
        kind=test cur=$name
    done <"$LIST"
}

# Prints the test's directives with every "use SET" expanded and the variables
# ${PATH} ${MEM} ${CPUS} ${MB} replaced (MB: 1 for the kernel path and GRUB entry 1).
expand_directives() {
    local name=$1
    _expand_body "$name" "${T_BODY[$name]}" 0
}

# shellcheck disable=SC2016  # the literal text ${PATH} etc. is what is replaced
_expand_body() {
    local name=$1 body=$2 depth=$3 line word arg mb=2
    [ "$depth" -lt 8 ] || die "test '$name': 'use' nested too deep (a loop?)"
    if [ "${T_PATH[$name]}" = kernel ] || [ "${T_ENTRY[$name]}" = 1 ]; then
        mb=1
    fi
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        line=${line//'${PATH}'/${T_PATH[$name]}}
        line=${line//'${MEM}'/${T_MEM[$name]}}
        line=${line//'${CPUS}'/${T_CPUS[$name]}}
        line=${line//'${MB}'/$mb}
        word=${line%%[[:space:]]*}
        arg=${line#"$word"}
        arg=${arg#"${arg%%[![:space:]]*}"}
        if [ "$word" = use ]; then
            [ -n "${S_BODY[$arg]+x}" ] || die "test '$name': unknown set '$arg'"
            _expand_body "$name" "${S_BODY[$arg]}" $((depth + 1))
        else
            printf '%s\n' "$line"
        fi
    done <<<"$body"
}

# ------------------------------------------------------------------ serial input ---
# The serial log as it is checked: no terminal escapes (GRUB, OVMF), no CRs, no NULs.
clean_log() {
    sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\x1b[()][A-Za-z0-9]//g' -e 's/\r//g' "$1" |
        tr -d '\000'
}

# Types into the guest's serial line: runs the wait/send/quiet directives given as
# arguments, in order (their meaning is in tests.list), writing to the FIFO that is QEMU's
# standard input, and records its progress in the status file: "at DIRECTIVE" before each
# wait or quiet, "FAIL reason" when a quiet period was not quiet, "DONE" at the end.  Then
# it keeps the FIFO open until QEMU has ended (the harness then creates the file ENDED), so
# QEMU never sees its input end.  Once ENDED exists, a wait looks at the log one last time
# and gives up if it does not match (the run ended first), and nothing more is sent.
#   feed_input FIFO LOG STATUS ENDED DIRECTIVE...
feed_input() {
    local fifo=$1 log=$2 status=$3 ended=$4 from=0 d word arg n secs re hit last
    shift 4
    trap '' PIPE
    # A pipeline's status is its last command's here (grep -m1 may cut tail off early).
    set +e +o pipefail
    exec 3>"$fifo"
    : >"$status"
    for d in "$@"; do
        word=${d%%[[:space:]]*}
        arg=${d#"$word"}
        arg=${arg#"${arg%%[![:space:]]*}"}
        case "$word" in
            wait)
                echo "at wait $arg" >>"$status"
                # Only lines after the previous wait's line count: responses, not echoes of old.
                for (( ; ; )); do
                    [ -e "$ended" ] && last=1 || last=0
                    n=$(clean_log "$log" | tail -n +$((from + 1)) | grep -m1 -nE -- "$arg" |
                        cut -d: -f1)
                    [ -n "$n" ] && break
                    [ "$last" = 1 ] && return 0
                    sleep 0.1
                done
                from=$((from + n))
                ;;
            send)
                [ -e "$ended" ] || printf '%b' "$arg" >&3
                ;;
            quiet)
                secs=${arg%%[[:space:]]*}
                re=${arg#"$secs"}
                re=${re#"${re%%[![:space:]]*}"}
                echo "at quiet $arg" >>"$status"
                [ -e "$ended" ] || sleep "$secs"
                if hit=$(clean_log "$log" | tail -n +$((from + 1)) | grep -m1 -E -- "$re"); then
                    echo "FAIL /$re/ within ${secs}s after the last wait: '${hit:0:80}'" >>"$status"
                fi
                ;;
        esac
    done
    echo DONE >>"$status"
    until [ -e "$ended" ]; do sleep 0.2; done
}
