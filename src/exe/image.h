/* image.h - the container-neutral description of one executable image.
 *
 * Each container parser (elf.c, pe.c, macho.c, raw.c) turns bytes into an
 * mg_img: named sections (hints for the Go layer), address-mapping regions
 * (what the loader maps: ELF PT_LOAD, PE sections, Mach-O segments), pointer
 * size, byte order, architecture, and where the symbol table lives.  The Go
 * layer reads bytes only through img->r and the helpers below.
 */
#ifndef MG_EXE_IMAGE_H
#define MG_EXE_IMAGE_H

#include "io/reader.h"
#include "malgopher.h"

#define MG_SEC_EXEC 0x1u
#define MG_SEC_WRITE 0x2u
#define MG_SEC_DATA 0x4u /* has bytes in the file */

/* hard caps on counts taken from headers (allocation bounds) */
#define MG_MAX_SECTIONS 4096u
#define MG_PE_MAX_DIRS 16u
#define MG_MAX_FAT_SLICES 44u /* Java class files share the fat magic; their next word is >= 45 */

typedef struct mg_section {
    char name[36];  /* NUL-terminated; Mach-O: "__SEGMENT,__section" */
    uint64_t addr;  /* virtual address */
    uint64_t size;  /* virtual size */
    uint64_t off;   /* file offset (relative to the image slice) */
    uint64_t filesz;
    unsigned flags; /* MG_SEC_* */
} mg_section;

typedef enum mg_symtab_kind {
    MG_SYMTAB_NONE = 0,
    MG_SYMTAB_ELF,
    MG_SYMTAB_COFF,
    MG_SYMTAB_MACHO,
    MG_SYMTAB_XCOFF /* counted only, not searched */
} mg_symtab_kind;

typedef struct mg_symtab {
    mg_symtab_kind kind;
    uint64_t off, count, entsize; /* entries */
    uint64_t stroff, strsize;     /* string table */
} mg_symtab;

/* one RELA entry, indexed by relocs.c */
typedef struct mg_reloc {
    uint64_t where, addend;
    uint64_t order; /* position in the table */
} mg_reloc;

struct mg_budget;

/* regions (after dropping redundant ones) may cover 2 x the image + this */
#define MG_REGION_SLACK (1u << 20)

typedef struct mg_img {
    mg_reader r; /* the whole image slice, with its order and pointer size */
    mg_container kind;
    const char *kind_name;
    const char *arch; /* GOARCH spelling, "" when unknown */
    const char *os;   /* GOOS guess from the container, "" when unknown */
    unsigned bits;
    uint64_t image_base; /* PE */
    uint64_t slice_offset;

    mg_section *sects; /* named sections, may be empty */
    size_t nsects;
    mg_section *maps; /* address -> file regions */
    size_t nmaps;

    mg_symtab symtab;
    /* PE: file offsets of the optional header and the section table, and the
     * data directories (index 14 is the CLI header of a .NET assembly) */
    uint64_t pe_opt_off, pe_sect_off;
    uint32_t pe_ndirs; /* directories present, at most MG_PE_MAX_DIRS */
    uint32_t pe_dir_rva[MG_PE_MAX_DIRS], pe_dir_size[MG_PE_MAX_DIRS];
    /* ELF dynamic relocations (PIE): table of Elf_Rela / Elf_Rel */
    uint64_t rel_off, rel_count, rel_entsize;
    bool rel_has_addend;
    mg_reloc *relocs; /* RELA sorted by offset (relocs.c), nrelocs entries */
    size_t nrelocs;
    struct mg_budget *budget; /* the file's work budget (NULL: unbounded) */
    /* fat Mach-O, first image only: the slices left out and why, "" if none */
    char slice_warning[200];
} mg_img;

void mg_img_free(mg_img *img);

/* The named section, or NULL. */
const mg_section *mg_img_section(const mg_img *img, const char *name);
/* Map [addr, addr+len) to a file offset inside one region. */
bool mg_img_addr_to_off(const mg_img *img, uint64_t addr, uint64_t len, uint64_t *off);
/* Map a file offset to its virtual address. */
bool mg_img_off_to_addr(const mg_img *img, uint64_t off, uint64_t *addr);
/* Look up a symbol's value by exact name (Mach-O: leading '_' optional). */
bool mg_img_symbol(const mg_img *img, const char *name, uint64_t *value);
/* The pointer-sized value the loader puts at addr: the word in the file,
 * or for ELF PIE files where that word is 0, the addend of its RELATIVE
 * relocation. */
bool mg_img_read_ptr_at(const mg_img *img, uint64_t addr, uint64_t *value);

/* regions.c: switch off regions that repeat an earlier one's mapping;
 * MG_ERR_MALFORMED when the rest still overlap past the cost bound. */
mg_status mg_img_regions_normalise(mg_img *img, mg_error *err);
/* relocs.c: index the RELA table once; look an offset's addend up. */
mg_status mg_img_index_relocs(mg_img *img, mg_error *err);
bool mg_img_reloc_addend(const mg_img *img, uint64_t where, uint64_t *addend);
/* ---- section_scan.c: searching a section's bytes for a pattern ----
 * One hit: the needle at file offset at inside s.  Return true to stop. */
typedef bool (*mg_scan_hit_fn)(const mg_img *img, const mg_section *s, uint64_t at, void *ctx);
/* Every occurrence of needle[0..k) (overlapping ones included) in s's file
 * bytes, in order, until fn returns true; then true.  False when no hit
 * stopped it or s does not lie in the file. */
bool mg_img_scan_section(const mg_img *img, const mg_section *s, const void *needle, size_t k,
                         mg_scan_hit_fn fn, void *ctx);
/* The same over every map whose flags hold all of `all` and none of
 * `none` (MG_SEC_*), in map order. */
bool mg_img_scan_maps(const mg_img *img, unsigned all, unsigned none, const void *needle, size_t k,
                      mg_scan_hit_fn fn, void *ctx);

/* Container parsers: fill *img from the bytes data[0..size). */
/* lazy (NULL: none): the bytes appear as the image's reader asks for them */
mg_status mg_elf_parse(const uint8_t *data, uint64_t size, mg_lazy *lazy, mg_img *img, mg_error *err);
mg_status mg_pe_parse(const uint8_t *data, uint64_t size, mg_img *img, mg_error *err);
mg_status mg_macho_parse(const uint8_t *data, uint64_t size, mg_img *img, mg_error *err);
mg_status mg_xcoff_parse(const uint8_t *data, uint64_t size, mg_img *img, mg_error *err);
void mg_raw_make(const uint8_t *data, uint64_t size, mg_img *img);

/* Identify the container and produce one image per slice (fat Mach-O gives
 * several).  *imgs is allocated; free each with mg_img_free then free().
 * lazy (NULL: none): data fills on demand (an ELF is read as asked;
 * any other container is made present whole first). */
mg_status mg_exe_detect(const uint8_t *data, uint64_t size, mg_lazy *lazy, mg_img **imgs, size_t *nimgs,
                        mg_error *err);

/* helpers shared by the parsers */
mg_status mg_img_alloc_sections(mg_img *img, uint64_t nsects, uint64_t nmaps, mg_error *err);
void mg_copy_name(char *dst, size_t dstsz, const uint8_t *src, size_t srcmax);

#endif
