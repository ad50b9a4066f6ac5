/* mg_yara.h - what our YARA module table exposes to the scanner front end:
 * the names of every module linked into the scanner (YARA's stock modules
 * plus `go` and `fuzzy`).  The table itself replaces libyara's modules.o;
 * see module_table.c. */
#ifndef MG_YARA_H
#define MG_YARA_H

#include <stddef.h>

/* number of modules in the table, and the name of module i (NULL past the end) */
size_t mg_yara_module_count(void);
const char *mg_yara_module_name(size_t i);

#endif
