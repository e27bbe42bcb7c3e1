#pragma once
// One kind of error for bad input: it names the file, layer, row or feature, field, and what was
// expected, in one line. The CLI turns it into exit code 2.
#include <stdexcept>
#include <string>

namespace data {

/// Where in the input a problem is. Empty parts are left out of the message.
struct InputLocation {
    std::string file;
    std::string layer;
    std::string row;    // "row 12" (tables) or "feature 12" (vector layers)
    std::string field;  // a field name, or a description setting such as "areas.id_field"
};

class InputError : public std::runtime_error {
public:
    InputError(InputLocation where, const std::string& problem);
    const InputLocation& where() const noexcept { return where_; }
    const std::string& problem() const noexcept { return problem_; }

private:
    InputLocation where_;
    std::string problem_;
};

/// A setting in the dataset description (or its CLI flag) is missing or wrong.
InputError setting_error(const std::string& description_file, const std::string& key, const std::string& problem);

}  // namespace data
