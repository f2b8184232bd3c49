// Conversions between tfplugin6 protobuf messages and the provider's domain
// types. This file and the server are the only places generated protobuf
// types appear; resource code sees cty values and core diagnostics only.
#ifndef WILDSIDE_PROVIDER_WIRE_CONVERT_H_
#define WILDSIDE_PROVIDER_WIRE_CONVERT_H_

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_field.h"
#include "proto/tfplugin6.pb.h"
#include "provider/core/diagnostics.h"
#include "provider/core/function.h"
#include "provider/core/resource.h"
#include "provider/cty/lazy_value.h"
#include "provider/cty/type.h"
#include "provider/cty/value.h"
#include "provider/schema/schema.h"

namespace wildside::wire {

// Decodes a DynamicValue against `type`: msgpack when present, else JSON,
// else a null of `type` (as OpenTofu itself does). InvalidArgument with the
// attribute path when the bytes do not conform.
absl::StatusOr<cty::Value> FromProto(const tfplugin6::DynamicValue& dv, const cty::Type& type);

// The capabilities a client sent; an absent message (OpenTofu before 1.11)
// reads as all false.
core::ClientCapabilities FromProto(const tfplugin6::ClientCapabilities& caps);

// Encodes `value` as msgpack into `*out`, moving the bytes into the message
// rather than copying them.
absl::Status ToProto(const cty::Value& value, const cty::Type& type, tfplugin6::DynamicValue* out);

void ToProto(const core::AttributePath& path, tfplugin6::AttributePath* out);
void ToProto(const core::Diagnostic& diag, tfplugin6::Diagnostic* out);
void ToProto(const core::Diagnostics& diags,
             google::protobuf::RepeatedPtrField<tfplugin6::Diagnostic>* out);
void ToProto(const schema::Schema& schema, tfplugin6::Schema* out);
void ToProto(const core::FunctionSignature& signature, tfplugin6::Function* out);
void ToProto(const core::IdentitySchema& schema, tfplugin6::ResourceIdentitySchema* out);
void ToProto(const core::FunctionError& error, tfplugin6::FunctionError* out);

// Moves the encoded bytes out of `dv` (no copy) into a value decoded only
// when the resource asks; `dv` is left empty.
cty::LazyValue TakeFromProto(tfplugin6::DynamicValue* dv, const cty::Type& type);

}  // namespace wildside::wire

#endif  // WILDSIDE_PROVIDER_WIRE_CONVERT_H_
