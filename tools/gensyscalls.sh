#!/bin/sh
# Generate the syscall table header from kernel/syscalls.tbl.
# Each line of the table: <number> <name> <handler>   ('#' starts a comment, also after
# the fields: "# partial: ..." notes are for tools/gensyscalldoc.py).
# Output: SYSCALL_MAX, extern declarations of the handlers, the handler table
# and the name table (for the "unimplemented syscall" log line).
set -e
tbl=$1
echo "/* Generated from $tbl by tools/gensyscalls.sh: do not edit. */"
awk 'BEGIN { n = 0; max = 0 }
{ sub(/#.*/, "") }
NF < 3 { next }
{ nr[n] = $1; name[n] = $2; fn[n] = $3; if ($1 > max) max = $1; n++ }
END {
	printf "#define SYSCALL_MAX %d\n", max + 1
	print "#ifdef SYSCALL_TABLE_DEFINE"
	for (i = 0; i < n; i++)
		if (!(fn[i] in seen)) { seen[fn[i]] = 1; printf "extern long %s();\n", fn[i] }
	print "static const syscall_fn syscall_table[SYSCALL_MAX] = {"
	for (i = 0; i < n; i++)
		printf "\t[%d] = (syscall_fn)%s,\n", nr[i], fn[i]
	print "};"
	print "#endif"
}' "$tbl"
# Names of every Linux x86-64 syscall we know of, for log messages.
echo "#ifdef SYSCALL_NAMES_DEFINE"
echo "static const char *const syscall_names[] = {"
awk '{ sub(/#.*/, "") } NF < 2 { next } { printf "\t[%d] = \"%s\",\n", $1, $2 }' "$tbl"
echo "};"
echo "#endif"
