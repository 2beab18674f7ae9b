#include "base/data_file.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "base/input_error.h"

namespace teersim {
namespace {

std::string JoinKey(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string FormatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

Field::Field(YAML::Node node, std::string key_path, std::shared_ptr<const std::string> file)
    : node_(std::move(node)), key_path_(std::move(key_path)), file_(std::move(file)) {}

int Field::Line() const {
  const YAML::Mark mark = node_.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

void Field::Fail(std::string_view problem) const {
  throw InputError(FormatInputError(*file_, Line(), key_path_, problem));
}

bool Field::Has(std::string_view key) const {
  return node_.IsMap() && node_[std::string(key)].IsDefined();
}

Field Field::Child(std::string_view key) const {
  if (!node_.IsMap()) Fail("expected a mapping with key '" + std::string(key) + "'");
  YAML::Node child = node_[std::string(key)];
  if (!child.IsDefined() || child.IsNull()) {
    throw InputError(FormatInputError(*file_, Line(), JoinKey(key_path_, key), "missing key"));
  }
  return Field(child, JoinKey(key_path_, key), file_);
}

std::optional<Field> Field::OptionalChild(std::string_view key) const {
  if (!Has(key)) return std::nullopt;
  YAML::Node child = node_[std::string(key)];
  if (child.IsNull()) return std::nullopt;
  return Field(child, JoinKey(key_path_, key), file_);
}

std::vector<std::string> Field::Keys() const {
  std::vector<std::string> keys;
  if (!node_.IsMap()) return keys;
  for (const auto& entry : node_) keys.push_back(entry.first.as<std::string>());
  return keys;
}

void Field::ExpectOnlyKeys(std::initializer_list<std::string_view> allowed) const {
  if (!node_.IsMap()) Fail("expected a mapping");
  for (const auto& entry : node_) {
    const auto key = entry.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string choices;
    for (auto name : allowed) choices += (choices.empty() ? "" : ", ") + std::string(name);
    Field unknown(entry.first, JoinKey(key_path_, key), file_);
    unknown.Fail("unknown key (allowed: " + choices + ")");
  }
}

double Field::Number(double min, double max) const {
  if (!node_.IsScalar()) Fail("expected a number");
  double value = 0.0;
  try {
    value = node_.as<double>();
  } catch (const YAML::Exception&) {
    Fail("expected a number, got '" + node_.Scalar() + "'");
  }
  if (!std::isfinite(value) || value < min || value > max) {
    Fail("expected " + FormatNumber(min) + " to " + FormatNumber(max) + ", got " +
         node_.Scalar());
  }
  return value;
}

double Field::NumberOr(std::string_view key, double fallback, double min, double max) const {
  auto child = OptionalChild(key);
  return child ? child->Number(min, max) : fallback;
}

std::int64_t Field::Integer(std::int64_t min, std::int64_t max) const {
  if (!node_.IsScalar()) Fail("expected an integer");
  std::int64_t value = 0;
  try {
    value = node_.as<std::int64_t>();
  } catch (const YAML::Exception&) {
    Fail("expected an integer, got '" + node_.Scalar() + "'");
  }
  if (value < min || value > max) {
    Fail("expected " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
         node_.Scalar());
  }
  return value;
}

bool Field::Bool() const {
  if (!node_.IsScalar()) Fail("expected true or false");
  try {
    return node_.as<bool>();
  } catch (const YAML::Exception&) {
    Fail("expected true or false, got '" + node_.Scalar() + "'");
  }
}

std::string Field::String() const {
  if (!node_.IsScalar()) Fail("expected a string");
  return node_.Scalar();
}

std::string Field::OneOf(std::initializer_list<std::string_view> choices) const {
  const std::string value = String();
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
  std::string listed;
  for (auto choice : choices) listed += (listed.empty() ? "" : ", ") + std::string(choice);
  Fail("expected one of " + listed + ", got '" + value + "'");
}

std::vector<Field> Field::Items() const {
  if (!node_.IsSequence()) Fail("expected a list");
  std::vector<Field> items;
  items.reserve(node_.size());
  for (std::size_t i = 0; i < node_.size(); ++i) {
    items.emplace_back(node_[i], key_path_ + "[" + std::to_string(i) + "]", file_);
  }
  return items;
}

DataFile::DataFile(YAML::Node root, std::string file)
    : root_(std::move(root)), file_(std::make_shared<const std::string>(std::move(file))) {}

DataFile DataFile::Parse(const std::string& text, const std::string& display_name) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) {
      throw InputError(FormatInputError(display_name, 1, "", "expected a YAML mapping at the top"));
    }
    return DataFile(root, display_name);
  } catch (const YAML::Exception& error) {
    throw InputError(FormatInputError(display_name, error.mark.line + 1, "",
                                      "YAML syntax error: " + error.msg));
  }
}

DataFile DataFile::Load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(FormatInputError(path.string(), 0, "", "cannot open file"));
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path.string());
}

Field DataFile::Root() const { return Field(root_, "", file_); }

}  // namespace teersim
