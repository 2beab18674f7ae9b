// DataFile / Field: read YAML data files (cases, scripts, instruments, device
// profiles) with errors that name the file, line and dotted key, and range
// checks stated once at the read site:
//
//   DataFile file = DataFile::Load("scenes/cases/p2_flail.yaml");
//   double ap_mm = file.Root().Child("anatomy").Child("annulus_ap_mm").Number(20, 45);
//   // -> "scenes/cases/p2_flail.yaml:14: anatomy.annulus_ap_mm: expected 20 to 45, got -3"
//
// Every failure throws teersim::InputError. Unknown keys are errors too
// (ExpectOnlyKeys), so a typo in a case file never silently falls back to a
// default.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teersim {

class Field {
 public:
  Field(YAML::Node node, std::string key_path, std::shared_ptr<const std::string> file);

  // Required child of a mapping; error "missing key" names the parent's line.
  Field Child(std::string_view key) const;
  std::optional<Field> OptionalChild(std::string_view key) const;
  bool Has(std::string_view key) const;
  // Fails on any key of this mapping not in `allowed`.
  void ExpectOnlyKeys(std::initializer_list<std::string_view> allowed) const;
  std::vector<std::string> Keys() const;

  bool IsMap() const { return node_.IsMap(); }
  bool IsSequence() const { return node_.IsSequence(); }
  bool IsScalar() const { return node_.IsScalar(); }

  // Scalars. Number/Integer check the closed range [min, max].
  double Number(double min, double max) const;
  double NumberOr(std::string_view key, double fallback, double min, double max) const;
  std::int64_t Integer(std::int64_t min, std::int64_t max) const;
  bool Bool() const;
  std::string String() const;
  // One of the listed words; error lists them.
  std::string OneOf(std::initializer_list<std::string_view> choices) const;

  // Items of a sequence, each with key path "parent[i]".
  std::vector<Field> Items() const;

  int Line() const;  // 1-based; 0 when unknown
  const std::string& KeyPath() const { return key_path_; }
  const std::string& File() const { return *file_; }
  const YAML::Node& Node() const { return node_; }

  [[noreturn]] void Fail(std::string_view problem) const;

 private:
  YAML::Node node_;
  std::string key_path_;
  std::shared_ptr<const std::string> file_;
};

class DataFile {
 public:
  // Throws InputError naming the file for a missing/unreadable file and the
  // line for a YAML syntax error.
  static DataFile Load(const std::filesystem::path& path);
  // `display_name` stands in for the path in error messages.
  static DataFile Parse(const std::string& text, const std::string& display_name);

  Field Root() const;
  const std::string& Name() const { return *file_; }

 private:
  DataFile(YAML::Node root, std::string file);
  YAML::Node root_;
  std::shared_ptr<const std::string> file_;
};

}  // namespace teersim
