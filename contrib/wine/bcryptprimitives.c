/*
 * bcryptprimitives.dll for Wine 8, for the Windows tests only (never shipped).
 *
 * Rust's standard library (1.78 and later) takes its random bytes from ProcessPrng in
 * bcryptprimitives.dll, which Windows 10 and later have and Wine 8 (Debian 12) lacks:
 * without it qcdc.exe does not even start there. This DLL forwards ProcessPrng to
 * RtlGenRandom (SystemFunction036 in advapi32), which Wine 8 has. Newer Wine versions
 * ship ProcessPrng themselves and load their own DLL before this one.
 *
 * Built by .ci/run with the mingw-w64 compiler:
 *   x86_64-w64-mingw32-gcc -shared -O2 -s -static-libgcc \
 *     -o bcryptprimitives.dll bcryptprimitives.c bcryptprimitives.def -ladvapi32
 */
#include <windows.h>

/* RtlGenRandom: ntsecapi.h declares it only under that macro name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Documented to always return TRUE; Rust's std aborts otherwise. Large requests are
 * passed on in pieces, as RtlGenRandom takes a 32-bit length. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
