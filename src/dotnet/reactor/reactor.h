/* reactor.h - .NET Reactor (NecroBit) support (reactor.c): finding the
 * injected initializer and running it in the CIL emulator. */
#ifndef MG_DOTNET_REACTOR_H
#define MG_DOTNET_REACTOR_H
#include "dotnet/emu/emu.h"

/* the evidence of .NET Reactor's NecroBit */
typedef struct mg_reactor_info {
    bool detected;         /* stubs, an injected initializer and its private resource */
    uint32_t stubs;        /* bodies whose code is nop; nop; [ldc.i4.0|ldnull|nop]; ret */
    uint32_t init_token;   /* the initializer <Module>::.cctor calls */
    uint32_t injected;     /* type initializers whose first call is the initializer */
    uint32_t resource_row; /* the private embedded resource */
    char resource[128];
    uint32_t resource_len;
} mg_reactor_info;
bool mg_reactor_detect(const mg_cli *cli, mg_reactor_info *ri);

/* MethodDef row of the initializer <Module>::.cctor calls first (0: none) */
uint32_t mg_reactor_initializer(const mg_cli *cli);
/* run it in E (emu_init'ed here) up to the JIT hook installation */
mg_status mg_reactor_emulate(const mg_cli *cli, emu *E, mg_budget *budget, mg_error *err);
/* jit-unpack of a .NET Reactor sample (reactor_unpack.c); in->img must
 * have a free section header slot */
mg_status mg_reactor_unpack(const mg_cli *in, mg_budget *budget, uint8_t **out, size_t *out_size,
                            mg_jit_report *rep, mg_error *err);
#endif
