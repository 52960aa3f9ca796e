/* Runs protoc (Debian's protobuf-compiler) on a .proto file and returns the descriptor set it
 * writes: the file and everything it imports, as the bytes of a FileDescriptorSet. */
#ifndef BANK_IO_PROTO_COMPILE_H
#define BANK_IO_PROTO_COMPILE_H

#include <stddef.h>

/* 0 and a malloc'ed buffer in *bytes (*len bytes), or -1 with one line in err: protoc missing,
 * or protoc's first complaint about the file ("FILE:LINE:COL: ..."). The file's own folder is
 * the import path, besides protoc's own (google/protobuf/...). */
int bank_proto_compile(const char *proto_path, unsigned char **bytes, size_t *len, char *err,
                       size_t errlen);

#endif
