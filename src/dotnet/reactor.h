/* reactor.h - .NET Reactor (NecroBit) support (reactor.c): finding the
 * injected initializer and running it in the CIL emulator. */
#ifndef MG_DOTNET_REACTOR_H
#define MG_DOTNET_REACTOR_H
#include "emu.h"

/* MethodDef row of the initializer <Module>::.cctor calls first (0: none) */
uint32_t mg_reactor_initializer(const mg_cli *cli);
/* run it in E (emu_init'ed here) up to the JIT hook installation */
mg_status mg_reactor_emulate(const mg_cli *cli, emu *E, mg_error *err);
#endif
