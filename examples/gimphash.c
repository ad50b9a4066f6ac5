/* gimphash.c - an example program on libmalgopher's public API only:
 * prints "GIMPHASH  PATH" for every Go executable named on the command line
 * (a slice of a fat Mach-O file is named PATH:ARCH, as `malgopher hash`
 * names it), and "gimphash: PATH: reason" on stderr for the others.
 *
 * Build it against an installed libmalgopher:
 *     cc -o gimphash gimphash.c $(pkg-config --cflags --libs malgopher)
 * or statically:
 *     cc -o gimphash gimphash.c $(pkg-config --static --cflags --libs malgopher)
 * Exit status: 0 when every file gave a gimphash, 1 otherwise. */
#include <malgopher.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gimphash FILE...\n");
        return 2;
    }
    /* the header this was built with and the library loaded may differ */
    if (strcmp(mg_version(), MG_VERSION_STRING) != 0)
        fprintf(stderr, "gimphash: built with malgopher %s, running with %s\n",
                MG_VERSION_STRING, mg_version());
    int status = 0;
    for (int a = 1; a < argc; a++) {
        mg_file *f;
        mg_error err;
        if (mg_file_open(argv[a], &f, &err) != MG_OK) {
            fprintf(stderr, "gimphash: %s: %s\n", argv[a], err.msg);
            status = 1;
            continue;
        }
        size_t n = mg_file_image_count(f), printed = 0;
        for (size_t i = 0; i < n; i++) {
            const mg_image *im = mg_file_image(f, i);
            if (!im->is_go)
                continue;
            if (n > 1)
                printf("%s  %s:%s\n", im->gimphash, argv[a], im->arch[0] ? im->arch : "unknown");
            else
                printf("%s  %s\n", im->gimphash, argv[a]);
            printed++;
        }
        if (!printed) {
            fprintf(stderr, "gimphash: %s: %s\n", argv[a], mg_status_reason(MG_ERR_NOT_GO));
            status = 1;
        }
        mg_file_close(f);
    }
    return status;
}
