/* protobuf-c messages <-> gRPC byte buffers, and the method paths of both wire forms. */
#ifndef BANK_RPC_CODEC_H
#define BANK_RPC_CODEC_H

#include <grpc/byte_buffer.h>
#include <protobuf-c/protobuf-c.h>

#include "bank.pb-c.h"
#include "course.pb-c.h"

#define BANK_PATH_QUERY "/bank.Branch/Query"
#define BANK_PATH_DEPOSIT "/bank.Branch/Deposit"
#define BANK_PATH_WITHDRAW "/bank.Branch/Withdraw"
#define BANK_PATH_PROPAGATE_DEPOSIT "/bank.Branch/Propagate_Deposit"
#define BANK_PATH_PROPAGATE_WITHDRAW "/bank.Branch/Propagate_Withdraw"
#define BANK_PATH_PROPAGATE_BATCH "/bank.Branch/Propagate_Batch"
#define BANK_PATH_SNAPSHOT "/bank.Branch/Snapshot"
#define BANK_PATH_MSG_DELIVERY "/Branch/MsgDelivery"
#define BANK_PATH_MSG_PROPAGATION "/Branch/MsgPropagation"
/* Served only when a benchmark asks for it: the same server answering with no logic at all. */
#define BANK_PATH_ECHO "/bank.Bench/Echo"

/* A new byte buffer holding the packed message, or NULL when out of memory. */
grpc_byte_buffer *bank_codec_pack(const ProtobufCMessage *msg);

/* The message unpacked from bb (free with protobuf_c_message_free_unpacked), or NULL when the
 * bytes are not a valid message of that type. A NULL bb unpacks as an empty message. */
ProtobufCMessage *bank_codec_unpack(const ProtobufCMessageDescriptor *desc, grpc_byte_buffer *bb);

/* The bytes of bb in one slice (to unref); a NULL bb gives an empty slice. 0 ok, -1 when bb
 * cannot be read (for example compressed with an unknown algorithm). */
int bank_codec_flatten(grpc_byte_buffer *bb, grpc_slice *out);

#endif
