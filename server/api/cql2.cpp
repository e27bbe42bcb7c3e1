#include "server/api/cql2.hpp"

#include "geo/crs.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <system_error>
#include <utility>
#include <variant>

namespace server::cql2 {

const std::vector<std::string_view>& conformance_classes() {
    static const std::vector<std::string_view> kClasses = {
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    };
    return kClasses;
}

namespace {

/// SQL's three truth values: a comparison with a null is unknown, NOT unknown is unknown, and only
/// true lets a feature through (OGC 21-065r2, 6.4).
enum class Truth { no, yes, unknown };

/// `text` between `mark`s, built by appending (GCC 12's -Wrestrict misfires on "literal" + std::string&&).
std::string quoted(std::string_view text, char mark = '\'') {
    std::string out(1, mark);
    out += text;
    out += mark;
    return out;
}

Truth negate(Truth t) { return t == Truth::unknown ? t : (t == Truth::yes ? Truth::no : Truth::yes); }

/// CQL2's scalar types (OGC 21-065r2, 6.3): a property of a layer has one, and so has a literal.
enum class Scalar { string, number, boolean };

std::string_view scalar_name(Scalar s) {
    switch (s) {
        case Scalar::string: return "a string";
        case Scalar::number: return "a number";
        case Scalar::boolean: return "a boolean";
    }
    return "a value";
}

Scalar scalar_of(geo::FieldType type) {
    switch (type) {
        case geo::FieldType::text: return Scalar::string;
        case geo::FieldType::integer:
        case geo::FieldType::real: return Scalar::number;
        case geo::FieldType::boolean: return Scalar::boolean;
    }
    return Scalar::string;
}

/// A value as evaluated: absent for null.
using Value = std::optional<std::variant<std::string, double, bool>>;

/// A literal or a property (index into the feature's values).
struct Operand {
    Scalar type = Scalar::string;
    std::optional<std::size_t> property;
    std::string name;  // the property's name or the literal as written, for messages
    Value literal;

    Value evaluate(const std::vector<geo::FieldValue>& values) const {
        if (!property) return literal;
        const geo::FieldValue& v = values.at(*property);
        if (geo::is_null(v)) return std::nullopt;
        if (const auto* text = std::get_if<std::string>(&v)) return *text;
        if (const auto* integer = std::get_if<std::int64_t>(&v)) return static_cast<double>(*integer);
        if (const auto* real = std::get_if<double>(&v)) return *real;
        return std::get<bool>(v);
    }
};

enum class Comparison { eq, ne, lt, gt, le, ge };

/// UTF-8 text as code points, so that LIKE's '_' stands for one character, not one byte.
std::u32string code_points(std::string_view text) {
    std::u32string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const int length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
        char32_t point = length == 1 ? c : c & (0x7f >> length);
        for (int k = 1; k < length && i + static_cast<std::size_t>(k) < text.size(); ++k) {
            point = (point << 6) | (static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]) & 0x3f);
        }
        out.push_back(point);
        i += static_cast<std::size_t>(length);
    }
    return out;
}

/// One LIKE pattern element: a character, '%' (any run) or '_' (any one character).
struct PatternItem {
    enum Kind { character, any_run, any_one } kind;
    char32_t c = 0;
};

bool like(const std::u32string& text, const std::vector<PatternItem>& pattern) {
    // Iterative wildcard matching with backtracking to the last '%': linear in practice.
    std::size_t t = 0, p = 0, star = std::string::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p].kind == PatternItem::any_one ||
                                   (pattern[p].kind == PatternItem::character && pattern[p].c == text[t]))) {
            ++t;
            ++p;
        } else if (p < pattern.size() && pattern[p].kind == PatternItem::any_run) {
            star = p++;
            mark = t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p].kind == PatternItem::any_run) ++p;
    return p == pattern.size();
}

struct PreparedDeleter {
    void operator()(const GEOSPreparedGeometry* p) const noexcept {
        if (p != nullptr) GEOSPreparedGeom_destroy_r(geo::destroying_context(), p);
    }
};

}  // namespace

/// A node of the parsed filter.
struct Node {
    enum class Kind { all, any, negation, literal, compare, like, between, in, is_null, intersects } kind = Kind::literal;
    std::vector<std::unique_ptr<Node>> children;  // all, any, negation
    bool flag = false;                           // literal: its value; like, between, in, is_null: NOT
    Comparison comparison = Comparison::eq;
    std::vector<Operand> operands;  // compare: 2; between: 3; in: the left, then the list; like, is_null: 1
    std::vector<PatternItem> pattern;
    geo::Geometry geometry;  // intersects: the literal, working CRS
    std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter> prepared;

    Truth evaluate(GEOSContextHandle_t h, const std::vector<geo::FieldValue>& values, const GEOSGeometry* feature) const {
        switch (kind) {
            case Kind::all: {
                Truth out = Truth::yes;
                for (const auto& child : children) {
                    const Truth t = child->evaluate(h, values, feature);
                    if (t == Truth::no) return Truth::no;
                    if (t == Truth::unknown) out = Truth::unknown;
                }
                return out;
            }
            case Kind::any: {
                Truth out = Truth::no;
                for (const auto& child : children) {
                    const Truth t = child->evaluate(h, values, feature);
                    if (t == Truth::yes) return Truth::yes;
                    if (t == Truth::unknown) out = Truth::unknown;
                }
                return out;
            }
            case Kind::negation: return negate(children.front()->evaluate(h, values, feature));
            case Kind::literal: return flag ? Truth::yes : Truth::no;
            case Kind::is_null: {
                const bool null = !operands.front().evaluate(values).has_value();
                return null != flag ? Truth::yes : Truth::no;
            }
            case Kind::compare: {
                const Value a = operands[0].evaluate(values);
                const Value b = operands[1].evaluate(values);
                if (!a || !b) return Truth::unknown;
                return compare(*a, *b, comparison) ? Truth::yes : Truth::no;
            }
            case Kind::between: {
                const Value a = operands[0].evaluate(values);
                const Value low = operands[1].evaluate(values);
                const Value high = operands[2].evaluate(values);
                if (!a || !low || !high) return Truth::unknown;
                const bool inside = compare(*a, *low, Comparison::ge) && compare(*a, *high, Comparison::le);
                return inside != flag ? Truth::yes : Truth::no;
            }
            case Kind::in: {
                const Value a = operands[0].evaluate(values);
                if (!a) return Truth::unknown;
                bool found = false;
                for (std::size_t i = 1; i < operands.size() && !found; ++i) {
                    const Value b = operands[i].evaluate(values);
                    found = b && compare(*a, *b, Comparison::eq);
                }
                return found != flag ? Truth::yes : Truth::no;
            }
            case Kind::like: {
                const Value a = operands[0].evaluate(values);
                if (!a) return Truth::unknown;
                return like(code_points(std::get<std::string>(*a)), pattern) != flag ? Truth::yes : Truth::no;
            }
            case Kind::intersects: {
                if (feature == nullptr) return Truth::unknown;
                const char result = GEOSPreparedIntersects_r(h, prepared.get(), feature);
                if (result == 2) throw geo::GeosError("S_INTERSECTS: GEOS could not test a feature");
                return result == 1 ? Truth::yes : Truth::no;
            }
        }
        return Truth::unknown;
    }

    static bool compare(const std::variant<std::string, double, bool>& a, const std::variant<std::string, double, bool>& b,
                        Comparison how) {
        int order = 0;
        if (const auto* x = std::get_if<double>(&a)) {
            const double y = std::get<double>(b);
            order = *x < y ? -1 : (*x > y ? 1 : 0);
        } else if (const auto* s = std::get_if<std::string>(&a)) {
            order = s->compare(std::get<std::string>(b));
            order = order < 0 ? -1 : (order > 0 ? 1 : 0);
        } else {
            order = static_cast<int>(std::get<bool>(a)) - static_cast<int>(std::get<bool>(b));
        }
        switch (how) {
            case Comparison::eq: return order == 0;
            case Comparison::ne: return order != 0;
            case Comparison::lt: return order < 0;
            case Comparison::gt: return order > 0;
            case Comparison::le: return order <= 0;
            case Comparison::ge: return order >= 0;
        }
        return false;
    }
};

namespace {

/// A recursive-descent parser of the CQL2 text grammar's subset above (OGC 21-065r2, annex A BNF).
class Parser {
public:
    Parser(std::string_view text, const geo::LayerSchema& layer, geo::GeosContext& geos, const geo::CrsTransform* to_working)
        : text_(text), layer_(layer), geos_(geos), to_working_(to_working) {}

    std::unique_ptr<Node> parse() {
        auto root = boolean_expression();
        skip_space();
        if (at_ < text_.size()) fail("expected AND, OR or the end of the filter");
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        std::string message = what;
        message += " at character ";
        message += std::to_string(at_ + 1);
        if (at_ < text_.size()) {
            message += " ('";
            message += text_.substr(at_, std::min<std::size_t>(16, text_.size() - at_));
            message += "')";
        }
        throw Error(message);
    }

    void skip_space() {
        while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_])) != 0) ++at_;
    }

    /// The next word (letters, digits, '_', '.', ':'), not consumed.
    std::string_view peek_word() {
        skip_space();
        std::size_t end = at_;
        while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) != 0 || text_[end] == '_' ||
                                      text_[end] == '.' || text_[end] == ':')) {
            ++end;
        }
        return text_.substr(at_, end - at_);
    }

    static bool same_word(std::string_view a, std::string_view keyword) {
        return a.size() == keyword.size() && std::equal(a.begin(), a.end(), keyword.begin(), [](char x, char y) {
                   return std::toupper(static_cast<unsigned char>(x)) == y;
               });
    }

    /// Consumes `keyword` (any case) when it is the next word.
    bool keyword(std::string_view word) {
        const std::string_view next = peek_word();
        if (!same_word(next, word)) return false;
        at_ += next.size();
        return true;
    }

    bool symbol(std::string_view s) {
        skip_space();
        if (text_.substr(at_, s.size()) != s) return false;
        at_ += s.size();
        return true;
    }

    void expect(std::string_view s) {
        if (!symbol(s)) fail("expected " + quoted(s));
    }

    std::unique_ptr<Node> boolean_expression() {
        auto first = boolean_term();
        if (!keyword("OR")) return first;
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::any;
        node->children.push_back(std::move(first));
        do node->children.push_back(boolean_term());
        while (keyword("OR"));
        return node;
    }

    std::unique_ptr<Node> boolean_term() {
        auto first = boolean_factor();
        if (!keyword("AND")) return first;
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::all;
        node->children.push_back(std::move(first));
        do node->children.push_back(boolean_factor());
        while (keyword("AND"));
        return node;
    }

    std::unique_ptr<Node> boolean_factor() {
        if (keyword("NOT")) {
            auto node = std::make_unique<Node>();
            node->kind = Node::Kind::negation;
            node->children.push_back(boolean_factor());
            return node;
        }
        skip_space();
        if (symbol("(")) {
            auto inner = boolean_expression();
            expect(")");
            return inner;
        }
        return predicate();
    }

    std::unique_ptr<Node> predicate() {
        const std::string_view word = peek_word();
        if (same_word(word, "S_INTERSECTS")) return spatial();
        for (const std::string_view other : {"S_EQUALS", "S_DISJOINT", "S_TOUCHES", "S_WITHIN", "S_OVERLAPS", "S_CROSSES", "S_CONTAINS"}) {
            if (same_word(word, other)) fail(std::string(other) + " is not supported (only S_INTERSECTS: CQL2 Basic Spatial Functions)");
        }
        for (const std::string_view other : {"T_AFTER", "T_BEFORE", "T_INTERSECTS", "T_DURING", "TIMESTAMP", "DATE", "INTERVAL"}) {
            if (same_word(word, other)) fail("temporal filters are not supported: no collection has a temporal property");
        }
        for (const std::string_view other : {"CASEI", "ACCENTI", "A_CONTAINS", "A_EQUALS", "A_OVERLAPS", "A_CONTAINEDBY"}) {
            if (same_word(word, other)) fail(std::string(other) + " is not supported (see /conformance for the CQL2 classes served)");
        }
        Operand left = scalar();
        auto node = std::make_unique<Node>();
        if (keyword("IS")) {
            node->kind = Node::Kind::is_null;
            node->flag = keyword("NOT");
            if (!keyword("NULL")) fail("expected NULL after IS");
            node->operands.push_back(std::move(left));
            return node;
        }
        const bool negated = keyword("NOT");
        if (keyword("LIKE")) return like_predicate(std::move(node), std::move(left), negated);
        if (keyword("BETWEEN")) {
            node->kind = Node::Kind::between;
            node->flag = negated;
            Operand low = scalar();
            if (!keyword("AND")) fail("expected AND in BETWEEN");
            Operand high = scalar();
            for (const Operand* o : {&left, &low, &high}) {
                if (o->type != Scalar::number) fail("BETWEEN compares numbers, and " + o->name + " is " + std::string(scalar_name(o->type)));
            }
            node->operands = {std::move(left), std::move(low), std::move(high)};
            return node;
        }
        if (keyword("IN")) {
            node->kind = Node::Kind::in;
            node->flag = negated;
            expect("(");
            node->operands.push_back(std::move(left));
            do {
                Operand item = scalar();
                check_same_type(node->operands.front(), item);
                node->operands.push_back(std::move(item));
            } while (symbol(","));
            expect(")");
            return node;
        }
        if (negated) fail("expected LIKE, BETWEEN or IN after NOT");
        if (left.type == Scalar::boolean && !starts_comparison()) {
            // A boolean literal or property standing alone is a predicate (booleanPrimary in the BNF).
            if (!left.property) {
                node->kind = Node::Kind::literal;
                node->flag = std::get<bool>(*left.literal);
                return node;
            }
            Operand yes;
            yes.type = Scalar::boolean;
            yes.name = "TRUE";
            yes.literal = true;
            node->kind = Node::Kind::compare;
            node->operands = {std::move(left), std::move(yes)};
            return node;
        }
        node->kind = Node::Kind::compare;
        node->comparison = comparison_operator();
        Operand right = scalar();
        check_same_type(left, right);
        if (left.type == Scalar::boolean && node->comparison != Comparison::eq && node->comparison != Comparison::ne) {
            fail("booleans are compared with = and <> only");
        }
        node->operands = {std::move(left), std::move(right)};
        return node;
    }

    bool starts_comparison() {
        skip_space();
        return at_ < text_.size() && (text_[at_] == '=' || text_[at_] == '<' || text_[at_] == '>');
    }

    Comparison comparison_operator() {
        if (symbol("<>")) return Comparison::ne;
        if (symbol("<=")) return Comparison::le;
        if (symbol(">=")) return Comparison::ge;
        if (symbol("=")) return Comparison::eq;
        if (symbol("<")) return Comparison::lt;
        if (symbol(">")) return Comparison::gt;
        fail("expected a comparison (=, <>, <, >, <=, >=), IS NULL, LIKE, BETWEEN or IN");
    }

    void check_same_type(const Operand& a, const Operand& b) const {
        if (a.type != b.type) {
            throw Error(a.name + " is " + std::string(scalar_name(a.type)) + " and cannot be compared with " + b.name + ", " +
                        std::string(scalar_name(b.type)) + " (CQL2 compares values of one type)");
        }
    }

    std::unique_ptr<Node> like_predicate(std::unique_ptr<Node> node, Operand left, bool negated) {
        node->kind = Node::Kind::like;
        node->flag = negated;
        if (left.type != Scalar::string) fail("LIKE needs a string, and " + left.name + " is " + std::string(scalar_name(left.type)));
        skip_space();
        if (at_ >= text_.size() || text_[at_] != '\'') fail("expected a quoted pattern after LIKE");
        const std::u32string pattern = code_points(quoted_string());
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            if (pattern[i] == U'\\' && i + 1 < pattern.size()) {
                node->pattern.push_back({PatternItem::character, pattern[++i]});
            } else if (pattern[i] == U'%') {
                node->pattern.push_back({PatternItem::any_run});
            } else if (pattern[i] == U'_') {
                node->pattern.push_back({PatternItem::any_one});
            } else {
                node->pattern.push_back({PatternItem::character, pattern[i]});
            }
        }
        node->operands.push_back(std::move(left));
        return node;
    }

    /// A single-quoted string with '' for a quote (the opening quote next).
    std::string quoted_string() {
        std::string out;
        ++at_;
        while (true) {
            if (at_ >= text_.size()) fail("a string is not closed");
            const char c = text_[at_++];
            if (c != '\'') {
                out += c;
            } else if (at_ < text_.size() && text_[at_] == '\'') {
                out += '\'';
                ++at_;
            } else {
                return out;
            }
        }
    }

    Operand scalar() {
        skip_space();
        if (at_ >= text_.size()) fail("expected a property, a string, a number or a boolean");
        Operand out;
        const char c = text_[at_];
        if (c == '\'') {
            out.type = Scalar::string;
            std::string value = quoted_string();
            out.name = quoted(value);
            out.literal = std::move(value);
            return out;
        }
        if (c == '"') {
            const std::size_t close = text_.find('"', at_ + 1);
            if (close == std::string_view::npos) fail("a quoted property name is not closed");
            const std::string name(text_.substr(at_ + 1, close - at_ - 1));
            at_ = close + 1;
            return property(name);
        }
        if (std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '+' || c == '.') {
            double number = 0;
            const char* begin = text_.data() + at_ + (c == '+' ? 1 : 0);
            const auto result = std::from_chars(begin, text_.data() + text_.size(), number);
            if (result.ec != std::errc() || !std::isfinite(number)) fail("expected a number");
            out.type = Scalar::number;
            out.name = std::string(text_.substr(at_, static_cast<std::size_t>(result.ptr - (text_.data() + at_))));
            out.literal = number;
            at_ = static_cast<std::size_t>(result.ptr - text_.data());
            return out;
        }
        const std::string_view word = peek_word();
        if (word.empty()) fail("expected a property, a string, a number or a boolean");
        if (same_word(word, "TRUE") || same_word(word, "FALSE")) {
            at_ += word.size();
            out.type = Scalar::boolean;
            out.name = same_word(word, "TRUE") ? "TRUE" : "FALSE";
            out.literal = same_word(word, "TRUE");
            return out;
        }
        at_ += word.size();
        skip_space();
        if (at_ < text_.size() && text_[at_] == '(') {
            at_ -= word.size();
            fail("unknown function " + quoted(word));
        }
        return property(std::string(word));
    }

    Operand property(const std::string& name) {
        for (std::size_t i = 0; i < layer_.fields.size(); ++i) {
            if (layer_.fields[i].name == name) {
                Operand out;
                out.type = scalar_of(layer_.fields[i].type);
                out.property = i;
                out.name = name;
                return out;
            }
        }
        if (name == kGeometryProperty) fail("the geometry can only be tested with S_INTERSECTS");
        throw Error("unknown property " + quoted(name) + " (the collection's queryables list its properties)");
    }

    std::unique_ptr<Node> spatial() {
        keyword("S_INTERSECTS");
        expect("(");
        bool geometry_seen = false;
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::intersects;
        for (int argument = 0; argument < 2; ++argument) {
            if (argument == 1) expect(",");
            const std::string_view word = peek_word();
            skip_space();
            const bool in_quotes = text_.substr(at_, kGeometryProperty.size() + 2) == quoted(kGeometryProperty, '"');
            if (word == kGeometryProperty || in_quotes) {
                if (geometry_seen) fail("S_INTERSECTS names the geometry twice");
                geometry_seen = true;
                at_ += in_quotes ? kGeometryProperty.size() + 2 : word.size();
            } else if (node->geometry) {
                fail("S_INTERSECTS needs the property geometry and one geometry literal");
            } else {
                node->geometry = spatial_literal();
            }
        }
        expect(")");
        if (!geometry_seen || !node->geometry) fail("S_INTERSECTS needs the property geometry and one geometry literal");
        node->prepared.reset(GEOSPrepare_r(geos_.handle(), node->geometry.get()));
        if (!node->prepared) geos_.fail("preparing a CQL2 geometry");
        return node;
    }

    /// A WKT geometry or BBOX(minx, miny, maxx, maxy), in the filter CRS, carried into the working CRS.
    geo::Geometry spatial_literal() {
        const std::size_t start = at_;
        const std::string_view word = peek_word();
        if (same_word(word, "BBOX")) {
            at_ += word.size();
            expect("(");
            double box[4];
            for (int i = 0; i < 4; ++i) {
                if (i > 0) expect(",");
                const Operand n = scalar();
                if (n.type != Scalar::number || n.property) fail("BBOX takes four numbers");
                box[i] = std::get<double>(*n.literal);
            }
            if (symbol(",")) fail("BBOX with six numbers (3D) is not supported");
            expect(")");
            if (box[0] > box[2] || box[1] > box[3]) throw Error("BBOX: the minimum must not exceed the maximum");
            const geo::Envelope envelope{box[0], box[1], box[2], box[3], false};
            if (to_working_ == nullptr) return box_polygon(envelope);
            try {
                return geo::transform_box(geos_, envelope, *to_working_);
            } catch (const geo::CrsError& error) {
                throw Error(std::string("BBOX cannot be carried into the dataset's CRS (") + error.what() + ")");
            }
        }
        static constexpr std::string_view kTypes[] = {"POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
                                                      "GEOMETRYCOLLECTION"};
        if (std::none_of(std::begin(kTypes), std::end(kTypes), [&](std::string_view t) { return same_word(word, t); })) {
            fail("expected a geometry literal (WKT such as POINT(x y), or BBOX(minx, miny, maxx, maxy))");
        }
        at_ += word.size();
        skip_space();
        if (same_word(peek_word(), "Z") || same_word(peek_word(), "M") || same_word(peek_word(), "ZM")) at_ += peek_word().size();
        skip_space();
        if (!symbol("(")) fail("expected '(' in a WKT geometry");
        for (int depth = 1; depth > 0; ++at_) {
            if (at_ >= text_.size()) fail("a WKT geometry is not closed");
            depth += text_[at_] == '(' ? 1 : (text_[at_] == ')' ? -1 : 0);
        }
        geo::Geometry literal;
        try {
            literal = geo::from_wkt(geos_, text_.substr(start, at_ - start));
        } catch (const geo::GeosError& error) {
            throw Error("the geometry " + quoted(text_.substr(start, at_ - start)) + " is not valid WKT (" + error.what() + ")");
        }
        if (to_working_ == nullptr) return literal;
        try {
            return geo::transform_geometry(geos_, literal.get(), *to_working_);
        } catch (const geo::GeosError&) {
            throw Error("the geometry " + quoted(text_.substr(start, at_ - start)) + " cannot be carried into the dataset's CRS");
        }
    }

    geo::Geometry box_polygon(const geo::Envelope& e) {
        std::string wkt = "POLYGON((";
        for (const auto& [x, y] : {std::pair{e.min_x, e.min_y}, {e.max_x, e.min_y}, {e.max_x, e.max_y}, {e.min_x, e.max_y}, {e.min_x, e.min_y}}) {
            if (wkt.back() != '(') wkt += ',';
            char number[32];
            wkt.append(number, std::to_chars(number, number + sizeof number, x).ptr);
            wkt += ' ';
            wkt.append(number, std::to_chars(number, number + sizeof number, y).ptr);
        }
        wkt += "))";
        return geo::from_wkt(geos_, wkt);
    }

    std::string_view text_;
    const geo::LayerSchema& layer_;
    geo::GeosContext& geos_;
    const geo::CrsTransform* to_working_;
    std::size_t at_ = 0;
};

}  // namespace

Filter::Filter(std::string_view text, const geo::LayerSchema& layer, const geo::CrsTransform* to_working)
    : geos_(std::make_unique<geo::GeosContext>()) {
    root_ = Parser(text, layer, *geos_, to_working).parse();
}

Filter::~Filter() = default;
Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;

bool Filter::matches(const std::vector<geo::FieldValue>& values, const GEOSGeometry* geometry) const {
    return root_->evaluate(geos_->handle(), values, geometry) == Truth::yes;
}

}  // namespace server::cql2
