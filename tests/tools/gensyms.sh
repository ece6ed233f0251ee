#!/bin/sh
# Turns `nm -n` output of the monitor into an assembly symbol table for backtraces:
# symtab_count, symtab_entries (address, offset of the name) sorted by address, symtab_names.
awk '
$2 ~ /^[tT]$/ && $3 !~ /^\./ { addr[n] = $1; name[n] = $3; n++ }
END {
    print ".section .rodata.symtab,\"a\""
    print ".balign 4"
    print ".globl symtab_count"
    print "symtab_count: .long " n
    print ".globl symtab_entries"
    print "symtab_entries:"
    off = 0
    for (i = 0; i < n; i++) {
        printf ".long 0x%s, %d\n", addr[i], off
        off += length(name[i]) + 1
    }
    print ".globl symtab_names"
    print "symtab_names:"
    for (i = 0; i < n; i++) {
        printf ".asciz \"%s\"\n", name[i]
    }
}'
