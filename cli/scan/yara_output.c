/* yara_output.c - what `malgopher scan` prints, line for line as the yara
 * command (4.2) prints it: "RULE [TAGS] [META] PATH" per reported rule,
 * "0xOFFSET:$id: data" per string match with -s, console.log lines, the
 * module data with -D (libyara's yr_object_print_data), "NAMESPACE:" with -e, the
 * too-many-matches warning, and yara's wording of scan errors.  Called from
 * several scanner threads: every line is written under one lock. */
#include "scan/scan.h"
#include "common/cli.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const scan_opts *opts;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

void scan_report_init(const scan_opts *o)
{
    opts = o;
}

void scan_lock(void)
{
    pthread_mutex_lock(&out_lock);
}

void scan_unlock(void)
{
    pthread_mutex_unlock(&out_lock);
}

/* text string data: printable ASCII as is, other bytes as \xHH */
static void print_text(const uint8_t *d, int n)
{
    for (int i = 0; i < n; i++)
        if (d[i] >= 32 && d[i] <= 126)
            putchar(d[i]);
        else
            printf("\\x%02X", d[i]);
}

/* hex string data: at most 64 bytes as "HH HH ...", then " ..." */
static void print_hex(const uint8_t *d, int n)
{
    for (int i = 0; i < n && i < 64; i++)
        printf("%s%02X", i ? " " : "", d[i]);
    if (n > 64)
        fputs(" ...", stdout);
}

/* a console.log line: yara prints it as it is; here a line holding what
 * text_line escapes is escaped the same way (a leading backslash, then the
 * escapes), except that a tab stays a tab: rules format their values with
 * it, and it can neither forge a line nor reach the terminal */
static void console_line(const char *msg)
{
    const char *end = msg + strlen(msg), *t;
    bool esc = false;
    for (const char *p = msg; !esc; p = t + 1) {
        t = memchr(p, '\t', (size_t)(end - p));
        esc = text_needs_escape(p, (size_t)((t ? t : end) - p));
        if (!t)
            break;
    }
    if (esc)
        fputc('\\', stdout);
    for (const char *p = msg;; p = t + 1) {
        t = memchr(p, '\t', (size_t)(end - p));
        size_t k = (size_t)((t ? t : end) - p);
        if (esc)
            text_escaped(stdout, p, k);
        else
            fwrite(p, 1, k, stdout);
        if (!t)
            break;
        fputc('\t', stdout);
    }
    fputc('\n', stdout);
}

/* a string meta value, C-escaped as yara does */
static void print_escaped(const char *s)
{
    static const char esc[32] = {[7] = 'a', [8] = 'b', [9] = 't', [10] = 'n',
                                 [11] = 'v', [12] = 'f', [13] = 'r'};
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\'' || *p == '\\')
            printf("\\%c", *p);
        else if (*p >= 127)
            printf("\\%03o", *p);
        else if (*p >= 32)
            putchar(*p);
        else if (esc[*p])
            printf("\\%c", esc[*p]);
        else
            printf("\\%03o", *p);
    }
}

static bool has_tag(const YR_RULE *rule, const char *want)
{
    const char *tag;
    yr_rule_tags_foreach(rule, tag)
    {
        if (strcmp(tag, want) == 0)
            return true;
    }
    return false;
}

/* -t and -i filters: a rule is shown when it has one of the tags and is
 * one of the identifiers (each test passes when its list is empty) */
static bool selected(const YR_RULE *rule)
{
    bool ok = opts->ntags == 0;
    for (size_t i = 0; !ok && i < opts->ntags; i++)
        ok = has_tag(rule, opts->tags[i]);
    if (!ok)
        return false;
    if (opts->nidentifiers == 0)
        return true;
    for (size_t i = 0; i < opts->nidentifiers; i++)
        if (strcmp(opts->identifiers[i], rule->identifier) == 0)
            return true;
    return false;
}

static void print_rule(YR_SCAN_CONTEXT *ctx, const YR_RULE *rule, const char *path)
{
    if (opts->show_namespace)
        printf("%s:", rule->ns->name);
    printf("%s ", rule->identifier);
    if (opts->show_tags) {
        const char *tag;
        putchar('[');
        yr_rule_tags_foreach(rule, tag)
        {
            printf("%s%s", tag != rule->tags ? "," : "", tag);
        }
        fputs("] ", stdout);
    }
    if (opts->show_meta) {
        const YR_META *meta;
        putchar('[');
        yr_rule_metas_foreach(rule, meta)
        {
            if (meta != rule->metas)
                putchar(',');
            if (meta->type == META_TYPE_INTEGER)
                printf("%s =%" PRId64, meta->identifier, meta->integer); /* sic: yara 4.2 */
            else if (meta->type == META_TYPE_BOOLEAN)
                printf("%s=%s", meta->identifier, meta->integer ? "true" : "false");
            else {
                printf("%s=\"", meta->identifier);
                print_escaped(meta->string);
                putchar('"');
            }
        }
        fputs("] ", stdout);
    }
    text_escaped(stdout, path, strlen(path)); /* a name from the file system */
    putchar('\n');
    if (!opts->show_strings)
        return;
    const YR_STRING *string;
    yr_rule_strings_foreach(rule, string)
    {
        /* libyara's match notebook does not align YR_MATCH to 8 bytes: read
         * each one through a copy (yr_string_matches_foreach would not) */
        for (const YR_MATCH *p = ctx->matches[string->idx].head; p;) {
            YR_MATCH m;
            memcpy(&m, p, sizeof m);
            p = m.next;
            if (m.is_private)
                continue;
            printf("0x%" PRIx64 ":%s: ", (uint64_t)(m.base + m.offset), string->identifier);
            if (STRING_IS_HEX(string))
                print_hex(m.data, m.data_length);
            else
                print_text(m.data, m.data_length);
            putchar('\n');
        }
    }
}

static int on_rule(YR_SCAN_CONTEXT *ctx, int message, const YR_RULE *rule, scan_target *t)
{
    bool matching = message == CALLBACK_MSG_RULE_MATCHING;
    if (selected(rule) && matching != opts->negate && !opts->count_only) {
        scan_lock();
        print_rule(ctx, rule, t->path);
        scan_unlock();
    }
    if (matching)
        t->count++;
    return CALLBACK_CONTINUE;
}

int scan_callback(YR_SCAN_CONTEXT *ctx, int message, void *message_data, void *user_data)
{
    switch (message) {
    case CALLBACK_MSG_RULE_MATCHING:
    case CALLBACK_MSG_RULE_NOT_MATCHING:
        return on_rule(ctx, message, message_data, user_data);
    case CALLBACK_MSG_TOO_MANY_MATCHES:
        if (!opts->no_warnings) {
            const YR_STRING *s = message_data;
            scan_lock();
            fprintf(stderr,
                    "warning: rule \"%s\": too many matches for %s, results for this rule "
                    "may be incorrect\n",
                    ctx->rules->rules_table[s->rule_idx].identifier, s->identifier);
            scan_unlock();
        }
        return CALLBACK_CONTINUE;
    case CALLBACK_MSG_MODULE_IMPORTED:
        /* -D: the module's data, printed by libyara itself, as yara does */
        if (opts->module_data) {
            scan_lock();
            yr_object_print_data(message_data, 0, 1);
            putchar('\n');
            scan_unlock();
        }
        return CALLBACK_CONTINUE;
    case CALLBACK_MSG_CONSOLE_LOG:
        scan_lock();
        console_line((const char *)message_data); /* console.log may print file data */
        scan_unlock();
        return CALLBACK_CONTINUE;
    default:
        return CALLBACK_CONTINUE;
    }
}

void scan_print_yr_error(int error)
{
    switch (error) {
    case ERROR_SUCCESS: break;
    case ERROR_COULD_NOT_ATTACH_TO_PROCESS:
        fputs("can not attach to process (try running as root)\n", stderr);
        break;
    case ERROR_INSUFFICIENT_MEMORY: fputs("not enough memory\n", stderr); break;
    case ERROR_SCAN_TIMEOUT: fputs("scanning timed out\n", stderr); break;
    case ERROR_COULD_NOT_OPEN_FILE: fputs("could not open file\n", stderr); break;
    case ERROR_UNSUPPORTED_FILE_VERSION:
        fputs("rules were compiled with a different version of YARA\n", stderr);
        break;
    case ERROR_INVALID_FILE: fputs("invalid compiled rules file.\n", stderr); break;
    case ERROR_CORRUPT_FILE: fputs("corrupt compiled rules file.\n", stderr); break;
    case ERROR_EXEC_STACK_OVERFLOW:
        fputs("stack overflow while evaluating condition (see --stack-size argument) \n", stderr);
        break;
    case ERROR_INVALID_EXTERNAL_VARIABLE_TYPE:
        fputs("invalid type for external variable\n", stderr);
        break;
    case ERROR_TOO_MANY_MATCHES: fputs("too many matches\n", stderr); break;
    default: fprintf(stderr, "error: %d\n", error); break;
    }
}

void scan_print_error(YR_SCANNER *scanner, const char *path, int error)
{
    scan_lock();
    fputs("error scanning ", stderr);
    text_escaped(stderr, path, strlen(path));
    fputs(": ", stderr);
    YR_RULE *rule = yr_scanner_last_error_rule(scanner);
    YR_STRING *string = yr_scanner_last_error_string(scanner);
    if (rule && string)
        fprintf(stderr, "string \"%s\" in rule \"%s\" caused ", string->identifier,
                rule->identifier);
    else if (rule)
        fprintf(stderr, "rule \"%s\" caused ", rule->identifier);
    scan_print_yr_error(error);
    scan_unlock();
}
