#include "provider/wire/convert.h"

#include "provider/cty/json.h"
#include "provider/cty/msgpack.h"

namespace wildside::wire {

absl::StatusOr<cty::Value> FromProto(const tfplugin6::DynamicValue& dv, const cty::Type& type) {
  if (!dv.msgpack().empty()) return cty::DecodeMsgpack(dv.msgpack(), type);
  if (!dv.json().empty()) return cty::DecodeJson(dv.json(), type);
  return cty::Value::Null(type);
}

core::ClientCapabilities FromProto(const tfplugin6::ClientCapabilities& caps) {
  core::ClientCapabilities out;
  out.write_only_attributes_allowed = caps.write_only_attributes_allowed();
  return out;
}

cty::LazyValue TakeFromProto(tfplugin6::DynamicValue* dv, const cty::Type& type) {
  if (!dv->msgpack().empty()) {
    return cty::LazyValue(cty::LazyValue::Format::kMsgpack, std::move(*dv->mutable_msgpack()),
                          type);
  }
  return cty::LazyValue(cty::LazyValue::Format::kJson, std::move(*dv->mutable_json()), type);
}

absl::Status ToProto(const cty::Value& value, const cty::Type& type, tfplugin6::DynamicValue* out) {
  std::string bytes;
  if (absl::Status s = cty::EncodeMsgpack(value, type, &bytes); !s.ok()) return s;
  out->set_msgpack(std::move(bytes));
  return absl::OkStatus();
}

void ToProto(const core::AttributePath& path, tfplugin6::AttributePath* out) {
  for (const core::PathStep& step : path.steps()) {
    tfplugin6::AttributePath::Step* s = out->add_steps();
    switch (step.kind) {
      case core::PathStep::Kind::kAttribute:
        s->set_attribute_name(step.name);
        break;
      case core::PathStep::Kind::kKeyString:
        s->set_element_key_string(step.name);
        break;
      case core::PathStep::Kind::kKeyInt:
        s->set_element_key_int(step.index);
        break;
    }
  }
}

void ToProto(const core::Diagnostic& diag, tfplugin6::Diagnostic* out) {
  out->set_severity(diag.severity == core::Diagnostic::Severity::kError
                        ? tfplugin6::Diagnostic::ERROR
                        : tfplugin6::Diagnostic::WARNING);
  out->set_summary(diag.summary);
  out->set_detail(diag.detail);
  if (diag.attribute.has_value() && !diag.attribute->empty()) {
    ToProto(*diag.attribute, out->mutable_attribute());
  }
}

void ToProto(const core::Diagnostics& diags,
             google::protobuf::RepeatedPtrField<tfplugin6::Diagnostic>* out) {
  for (const core::Diagnostic& d : diags) ToProto(d, out->Add());
}

void ToProto(const schema::Schema& schema, tfplugin6::Schema* out) {
  out->set_version(schema.version);
  // OpenTofu dereferences block without a nil check: always set it.
  tfplugin6::Schema::Block* block = out->mutable_block();
  block->set_description(schema.block.description);
  block->set_description_kind(tfplugin6::MARKDOWN);
  for (const schema::Attribute& a : schema.block.attributes) {
    tfplugin6::Schema::Attribute* pa = block->add_attributes();
    pa->set_name(a.name);
    pa->set_type(a.type.ToJsonString());
    pa->set_description(a.description);
    pa->set_description_kind(tfplugin6::MARKDOWN);
    pa->set_required(a.required);
    pa->set_optional(a.optional);
    pa->set_computed(a.computed);
    pa->set_sensitive(a.sensitive);
    pa->set_write_only(a.write_only);
  }
}

void ToProto(const core::FunctionSignature& signature, tfplugin6::Function* out) {
  for (const core::FunctionParameter& p : signature.parameters) {
    tfplugin6::Function::Parameter* param = out->add_parameters();
    param->set_name(p.name);
    param->set_type(p.type.ToJsonString());
    param->set_allow_null_value(p.allow_null);
    // Unknown arguments never reach the provider: the client answers an
    // unknown result itself, which is right for a pure function.
    param->set_allow_unknown_values(false);
    param->set_description(p.description);
    param->set_description_kind(tfplugin6::MARKDOWN);
  }
  out->mutable_return_()->set_type(signature.return_type.ToJsonString());
  out->set_summary(signature.summary);
  out->set_description(signature.description);
  out->set_description_kind(tfplugin6::MARKDOWN);
}

void ToProto(const core::IdentitySchema& schema, tfplugin6::ResourceIdentitySchema* out) {
  out->set_version(schema.version);
  for (const core::IdentityAttribute& a : schema.attributes) {
    tfplugin6::ResourceIdentitySchema::IdentityAttribute* attr = out->add_identity_attributes();
    attr->set_name(a.name);
    attr->set_type(a.type.ToJsonString());
    attr->set_required_for_import(a.required_for_import);
    attr->set_optional_for_import(a.optional_for_import);
    attr->set_description(a.description);
  }
}

void ToProto(const core::FunctionError& error, tfplugin6::FunctionError* out) {
  out->set_text(error.text);
  if (error.argument.has_value()) out->set_function_argument(*error.argument);
}

}  // namespace wildside::wire
