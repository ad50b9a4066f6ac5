/* rule_files.c - which leading arguments of `malgopher scan` are rules files.
 * yara 4 takes `RULES_FILE... TARGET` (one target, the last argument);
 * malgopher scan has always taken `RULES PATH...` (one rules file, many
 * paths).  Both keep working with one rule: the first argument is rules;
 * each following argument except the last is rules too while it looks like
 * YARA source (a name ending in .yar or .yara, or a text file that begins,
 * after blanks and comments, with `rule`, `private`, `global`, `import` or
 * `include`); the first that does not, and everything after it, is scanned.
 * A NAMESPACE: prefix is looked through. */
#include "scan/scan.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* the first word of the file after blanks and C/C++ comments */
static bool starts_like_yara(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    FILE *fh = fopen(path, "r");
    if (!fh)
        return false;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, fh);
    fclose(fh);
    buf[n] = '\0';
    if (memchr(buf, '\0', n))
        return false; /* binary */
    const char *p = buf;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (p[0] == '/' && p[1] == '/') {
            p = strchr(p, '\n');
            if (!p)
                return false;
        } else if (p[0] == '/' && p[1] == '*') {
            p = strstr(p + 2, "*/");
            if (!p)
                return false;
            p += 2;
        } else {
            break;
        }
    }
    static const char *const words[] = {"rule", "private", "global", "import", "include"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t k = strlen(words[i]);
        if (strncmp(p, words[i], k) == 0 && !isalnum((unsigned char)p[k]) && p[k] != '_')
            return true;
    }
    return false;
}

static bool looks_like_rules(const char *arg)
{
    const char *file = arg;
    const char *colon = access(arg, F_OK) != 0 ? strchr(arg, ':') : NULL;
    if (colon)
        file = colon + 1;
    return ends_with(file, ".yar") || ends_with(file, ".yara") || starts_like_yara(file);
}

int scan_count_rule_files(char **pos, int npos)
{
    int k = npos > 0 ? 1 : 0;
    while (k < npos - 1 && looks_like_rules(pos[k]))
        k++;
    return k;
}
