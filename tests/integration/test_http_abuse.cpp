// HTTP abuse (issue 15): malformed request lines, oversize headers and bodies, slow clients, path
// traversal in /web/, bad parameters and JSON, unknown methods, wrong content types, all over raw TCP
// against one `catchment serve` of the sample. Each case checks the status, that an error is JSON
// {"code","description"} (valid UTF-8), a part of the description, and that /health still answers.
#include "integration/raw_http.hpp"
#include "integration/served.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using raw_http::request;

namespace {

struct HttpCase {
    std::string name;
    std::string bytes;             // the request as sent
    std::vector<int> statuses;     // the status expected (any of these)
    std::string code;              // the JSON error's code; empty when the answer is not an error
    std::string description;       // a part of the JSON error's description
    std::size_t piece = 0;         // send in pieces of this many bytes (0: at once)
    std::vector<std::string> absent = {};  // must not be in the body (a file outside /web/)
};

const std::string kJson = "Content-Type: application/json\r\n";
std::string post_plans(const std::string& body, const std::string& headers = kJson) { return request("POST", "/plans", headers, body); }
std::string get(const std::string& target) { return request("GET", target); }
std::string raw_line(const std::string& line) { return line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"; }

const std::vector<std::string> kProjectFiles = {"cmake_minimum_required", "project(", "# catchment", "root:x:0:0"};

std::vector<HttpCase> malformed_and_oversize() {
    std::string many_fields;
    for (int i = 0; i < 3000; ++i) many_fields += "X-a: b\r\n";
    std::string chunked_body;
    for (int i = 0; i < 3; ++i) chunked_body += "100000\r\n" + std::string(0x100000, ' ') + "\r\n";
    return {
        {"request line: garbage", "GARBAGE\r\n\r\n", {400}, "InvalidRequest", "the request is not valid HTTP/1.1"},
        {"request line: a method alone", "GET\r\n\r\n", {400}, "InvalidRequest", "not valid HTTP/1.1"},
        {"request line: HTTP/9.9", raw_line("GET /health HTTP/9.9"), {400}, "InvalidRequest", "not valid HTTP/1.1 (bad version)"},
        {"request line: HTTP/2.0", raw_line("GET /health HTTP/2.0"), {400}, "InvalidRequest", "not valid HTTP/1.1"},
        {"request line: a space in the target", raw_line("GET /a b HTTP/1.1"), {400}, "InvalidRequest", "not valid HTTP/1.1"},
        {"request line: a TLS ClientHello on the plain port", std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11) + std::string(40, '\0'),
         {400}, "InvalidRequest", "not valid HTTP/1.1"},
        {"request line: absolute-form target", raw_line("GET http://127.0.0.1/health HTTP/1.1"), {400}, "InvalidRequest", "the request target is not a valid URL path"},
        {"request line: asterisk target", raw_line("GET * HTTP/1.1"), {400}, "InvalidRequest", "not a valid URL path"},
        {"request line: CONNECT", raw_line("CONNECT 127.0.0.1:443 HTTP/1.1"), {400}, "InvalidRequest", "not a valid URL path"},
        {"header: a line without a colon", "GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", {400}, "InvalidRequest", "not valid HTTP/1.1"},
        {"header: Content-Length not a number", "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", {400}, "InvalidRequest",
         "not valid HTTP/1.1 (bad Content-Length)"},
        {"header: two Content-Lengths", "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", {400}, "InvalidRequest",
         "not valid HTTP/1.1 (multiple Content-Length)"},
        {"body: a chunk size that is not hexadecimal", "POST /plans HTTP/1.1\r\nHost: x\r\n" + kJson + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
         {400}, "InvalidRequest", "not valid HTTP/1.1"},
        {"oversize: a 100 KB header field", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100000, 'a') + "\r\n\r\n", {431},
         "RequestHeaderFieldsTooLarge", "the request headers are larger than the limit"},
        {"oversize: a 100 KB request target", raw_line("GET /" + std::string(100000, 'a') + " HTTP/1.1"), {431}, "RequestHeaderFieldsTooLarge",
         "larger than the limit"},
        // Beast 1.81 lets a header of any size through when its count meets the limit as a read ends.
        {"oversize: 3000 small header fields sent in 4 KB pieces", "GET /health HTTP/1.1\r\nHost: x\r\n" + many_fields + "\r\n", {431},
         "RequestHeaderFieldsTooLarge", "larger than the limit", 4096},
        {"oversize: a 2 MB body announced by Content-Length", "POST /plans HTTP/1.1\r\nHost: x\r\n" + kJson + "Content-Length: 2000000\r\n\r\n" +
             std::string(2000000, ' '),
         {413}, "PayloadTooLarge", "the request body is larger than the limit"},
        {"oversize: a chunked body past 1 MB", "POST /plans HTTP/1.1\r\nHost: x\r\n" + kJson + "Transfer-Encoding: chunked\r\n\r\n" + chunked_body + "0\r\n\r\n",
         {413}, "PayloadTooLarge", "larger than the limit"},
        {"method: PATCH", request("PATCH", "/health"), {405}, "MethodNotAllowed", "method PATCH is not allowed here (allowed: GET, HEAD, OPTIONS)"},
        {"method: DELETE /plans", request("DELETE", "/plans"), {405}, "MethodNotAllowed", "method DELETE is not allowed here (allowed: GET, POST, HEAD, OPTIONS)"},
        {"method: BREW", request("BREW", "/health"), {501}, "NotImplemented", "method BREW is not implemented (methods: GET, "},
        {"method: lower-case get", request("get", "/health"), {501}, "NotImplemented", "method get is not implemented"},
        {"method: BREW on an unknown path", request("BREW", "/nowhere"), {501}, "NotImplemented", "method BREW is not implemented"},
        {"method: TRACE", request("TRACE", "/"), {405}, "MethodNotAllowed", "method TRACE is not allowed here"},
    };
}

std::vector<HttpCase> traversal() {
    const auto web = [](const std::string& target, std::vector<int> statuses, const std::string& code, const std::string& description) {
        return HttpCase{"traversal: " + target, get(target), std::move(statuses), code, description, 0, kProjectFiles};
    };
    return {
        web("/web/../CMakeLists.txt", {404}, "NotFound", "no resource at this path"),
        web("/web/%2e%2e/CMakeLists.txt", {404}, "NotFound", "no resource at this path"),
        web("/web/%252e%252e/CMakeLists.txt", {404}, "NotFound", "no resource at this path"),
        web("/web/..%2fCMakeLists.txt", {404}, "NotFound", "no file '../CMakeLists.txt' here"),
        web("/web/%2e%2e%2f%2e%2e%2fREADME.md", {404}, "NotFound", "no file '../../README.md' here"),
        web("/web/..\\CMakeLists.txt", {400}, "InvalidRequest", "the request target is not a valid URL path"),
        web("/web/..%5cCMakeLists.txt", {404}, "NotFound", "no file '..\\CMakeLists.txt' here"),
        web("/web/app.js%00.txt", {404}, "NotFound", std::string("no file 'app.js") + '\0' + ".txt' here"),
        web("/web/maplibre-gl/..%2f..%2f..%2f..%2f..%2fCMakeLists.txt", {404}, "NotFound", "no file '../../../../../CMakeLists.txt' here"),
        web("/web/%2fetc%2fpasswd", {404}, "NotFound", "no file '/etc/passwd' here"),
    };
}

std::vector<HttpCase> parameters() {
    const std::string items = "/collections/networks/items?";
    const auto bad = [](const std::string& name, const std::string& target, const std::string& description) {
        return HttpCase{name, get(target), {400}, "InvalidParameterValue", description};
    };
    return {
        bad("items: bbox with 3 numbers", items + "bbox=1,2,3", "parameter 'bbox': expected exactly four numbers minx,miny,maxx,maxy, got 3"),
        bad("items: bbox with NaN", items + "bbox=nan,1,2,3", "parameter 'bbox': expected four numbers minx,miny,maxx,maxy, got 'nan,1,2,3'"),
        bad("items: bbox with inf", items + "bbox=-inf,1,2,3", "got '-inf,1,2,3'"),
        bad("items: bbox reversed", items + "bbox=1,2,0,0", "parameter 'bbox': the minimum must not exceed the maximum in '1,2,0,0'"),
        bad("items: bbox outside longitudes and latitudes", items + "bbox=-200,-100,200,100", "bbox"),
        bad("items: limit=-1", items + "limit=-1", "parameter 'limit': must be at least 1, got -1"),
        bad("items: limit=abc", items + "limit=abc", "parameter 'limit': expected an integer, got 'abc'"),
        bad("items: offset beyond 64 bits", items + "offset=99999999999999999999", "parameter 'offset': expected an integer"),
        bad("items: offset negative", items + "offset=-5", "parameter 'offset': must not be negative, got -5"),
        bad("items: unknown crs", items + "crs=EPSG:1234", "parameter 'crs': unsupported CRS 'EPSG:1234'"),
        bad("items: unknown bbox-crs", items + "bbox=1,2,3,4&bbox-crs=foo", "parameter 'bbox-crs': unsupported CRS 'foo'"),
        bad("items: unknown parameter", items + "shape=round", "parameter 'shape': unknown query parameter for collection networks"),
        bad("items: f=xml", items + "f=xml", "parameter 'f': unsupported format 'xml' (expected json or csv)"),
        {"items: unknown collection", get("/collections/nope/items"), {404}, "NotFound", "no collection 'nope'"},
        {"items: unknown feature", get("/collections/networks/items/NOPE"), {404}, "NotFound", "no feature 'NOPE' in collection networks"},
        {"tiles: zoom 40", get("/tiles/40/0/0.mvt"), {404}, "NotFound", "zoom 40 is outside this tile set's 0 to 16"},
        {"tiles: zoom beyond 32 bits", get("/tiles/99999999999999999999/0/0.mvt"), {404}, "NotFound", "zoom 99999999999999999999 is outside"},
        {"tiles: x out of range", get("/tiles/3/8/1.mvt"), {404}, "NotFound", "tile 3/8/1 does not exist"},
        {"tiles: y far out of range", get("/tiles/10/0/99999999999.mvt"), {404}, "NotFound", "tile 10/0/99999999999 does not exist"},
        bad("tiles: negative zoom", "/tiles/-1/0/0.mvt", "tile z must be a whole number, got '-1'"),
        bad("tiles: not numbers", "/tiles/a/b/c.mvt", "tile z must be a whole number, got 'a'"),
        bad("tiles: fractional zoom", "/tiles/1.5/0/0.mvt", "tile z must be a whole number, got '1.5'"),
        {"tiles: wrong extension", get("/tiles/0/0/0.png"), {404}, "NotFound", "tiles are served as {z}/{x}/{y}.mvt"},
        bad("gaps: negative limit", "/gaps?limit=-1", "parameter 'limit': expected a whole number from 1 to 1000000000, got '-1'"),
        bad("gaps: unknown parameter", "/gaps?radius=3", "parameter 'radius': unknown query parameter (expected criteria, max_distance_m"),
        bad("gaps: unknown criterion", "/gaps?criteria=distance,nearness", "parameter 'criteria': unknown criterion 'nearness'"),
        bad("gaps: travel time without travel times", "/gaps?max_minutes=10", "parameter 'max_minutes': the study has no travel times"),
        bad("gaps: percentile of 100", "/gaps?accessibility_percentile=100", "parameter 'accessibility_percentile': expected a percentage"),
        bad("gaps: unknown group field", "/gaps?group_by=nothing", "parameter 'group_by': 'nothing' is neither a field"),
        bad("gap suggestions: count 0", "/gaps/suggestions?count=0", "parameter 'count': expected a whole number from 1 to 100, got '0'"),
        bad("gap suggestions: list size text", "/gaps/suggestions?list_size=big", "parameter 'list_size': expected a whole number"),
        {"plans: unknown plan", get("/plans/nope"), {404}, "NotFound", "no plan 'nope'"},
        {"practices: unknown practice", get("/practices/NOPE/catchment"), {404}, "NotFound", "no practice 'NOPE'"},
        {"path: bytes that are not UTF-8", get("/collections/%ff/items"), {400, 404}, "", ""},
    };
}

std::vector<HttpCase> plans() {
    const auto bad = [](const std::string& name, const std::string& body, const std::string& description) {
        return HttpCase{name, post_plans(body), {400}, "InvalidParameterValue", description};
    };
    std::string huge_array = "{\"excluded_practices\": [";
    for (int i = 0; i < 100000; ++i) huge_array += std::string(i ? "," : "") + "\"X" + std::to_string(i) + "\"";
    huge_array += "]}";
    std::string many_new = "{\"new_practices\": [";
    for (int i = 0; i < 101; ++i) many_new += std::string(i ? "," : "") + R"({"code":"N)" + std::to_string(i) + R"(","lon":-0.1,"lat":51.5})";
    many_new += "]}";
    return {
        bad("plans: truncated JSON", R"({"min_list_size": 30000)", "body: not valid JSON"),
        bad("plans: not an object", "[1,2,3]", "body: expected a JSON object of planning parameters"),
        bad("plans: min above max", R"({"min_list_size": 60000, "max_list_size": 50000})", "min_list_size: 60000 is greater than max_list_size 50000"),
        bad("plans: negative min", R"({"min_list_size": -5})", "min_list_size: expected a whole number from 1 to 10000000, got -5"),
        bad("plans: a string for a number", R"({"min_list_size": "30000"})", "min_list_size: expected a whole number from 1 to 10000000"),
        bad("plans: a fraction for a whole number", R"({"max_list_size": 40000.5})", "max_list_size: expected a whole number"),
        bad("plans: a huge number", R"({"seed": 1e300})", "seed: expected a whole number"),
        bad("plans: NaN", R"({"core_share": NaN})", "body: not valid JSON"),
        bad("plans: nested 100,000 deep", std::string(100000, '[') + std::string(100000, ']'), "body: not valid JSON (too deep)"),
        bad("plans: 100,000 unknown practice codes", huge_array, "excluded_practices[0]: unknown practice code 'X0'"),
        bad("plans: 101 new practices", many_new, "new_practices: at most 100 practices may be added"),
        bad("plans: an unknown practice code", R"({"excluded_practices": ["NOPE"]})", "excluded_practices[0]: unknown practice code 'NOPE'"),
        bad("plans: a string where an array is expected", R"({"excluded_practices": "F84012"})", "excluded_practices: expected an array of strings"),
        bad("plans: an unknown parameter", R"({"colour": "red"})", "colour: unknown parameter"),
        bad("plans: a longitude out of range", R"({"new_practices": [{"code": "N1", "lon": 999, "lat": 51.5}]})",
            "new_practices[0].lon: expected a longitude from -180 to 180"),
        bad("plans: a string that is not UTF-8", "{\"title\": \"plan \xff\"}", "body: not valid JSON"),
        {"plans: Content-Type text/plain", post_plans("{}", "Content-Type: text/plain\r\n"), {415}, "UnsupportedMediaType",
         "requests that change the server need Content-Type: application/json (got text/plain)"},
        {"plans: no Content-Type", post_plans("{}", ""), {415}, "UnsupportedMediaType", "(none was given)"},
        {"plans: Content-Type application/xml", post_plans("<plan/>", "Content-Type: application/xml\r\n"), {415}, "UnsupportedMediaType", "(got application/xml)"},
    };
}

/// The answer to one case: its status, and for an error a JSON object {"code","description"} in UTF-8.
void check(const HttpCase& c, const raw_http::Reply& reply) {
    INFO("status " << reply.status << "\n" << reply.headers << "\n" << reply.body.substr(0, 600));
    CHECK_FALSE(reply.timed_out);
    CHECK(std::find(c.statuses.begin(), c.statuses.end(), reply.status) != c.statuses.end());
    for (const std::string& text : c.absent) CHECK_THAT(reply.body, !Catch::Contains(text));
    if (reply.status < 400) return;
    CHECK_THAT(reply.headers, Catch::Contains("Content-Type: application/json", Catch::CaseSensitive::No));
    boost::system::error_code error;
    const boost::json::value body = boost::json::parse(reply.body, error);  // also refuses bytes that are not UTF-8
    REQUIRE_FALSE(error);
    REQUIRE(body.is_object());
    REQUIRE(body.as_object().contains("code"));
    REQUIRE(body.as_object().contains("description"));
    REQUIRE(body.at("code").is_string());
    REQUIRE(body.at("description").is_string());
    if (!c.code.empty()) CHECK(body.at("code").as_string() == c.code);
    CHECK_THAT(std::string(body.at("description").as_string()), Catch::Contains(c.description));
}

void check_alive(std::uint16_t port) {
    const raw_http::Reply health = raw_http::exchange(port, get("/health"), 0, 10s);
    INFO("GET /health after the case: " << health.status << " " << health.body);
    CHECK(health.status == 200);
    CHECK(health.body == R"({"status":"ok"})");
}

/// A client that stops part-way: the server must close the connection (or answer 408) within its read
/// timeout (30 s), while answering everyone else meanwhile.
struct SlowClient {
    std::string name;
    std::unique_ptr<raw_http::Connection> connection;
};

}  // namespace

TEST_CASE("HTTP abuse: every case answered as it should, and the server lives on", "[http-abuse]") {
    integration::Server server;
    const std::uint16_t port = server.port();
    const auto started = std::chrono::steady_clock::now();
    // The slow clients first: they stall while every other case runs, then must have been closed.
    std::vector<SlowClient> slow;
    for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
             {"slow: half a request line, then silence", "GET /hea"},
             {"slow: headers promising a body that never comes", "POST /plans HTTP/1.1\r\nHost: x\r\n" + kJson + "Content-Length: 100\r\n\r\n{\"min"},
             {"slow: connected, nothing sent", ""},
         }) {
        slow.push_back({name, std::make_unique<raw_http::Connection>(port, 45s)});
        REQUIRE(slow.back().connection->connected());
        slow.back().connection->send(bytes);
    }
    check_alive(port);

    std::vector<HttpCase> cases;
    for (auto group : {malformed_and_oversize(), traversal(), parameters(), plans()}) cases.insert(cases.end(), group.begin(), group.end());
    for (const HttpCase& c : cases) {
        INFO("case: " << c.name);
        check(c, raw_http::exchange(port, c.bytes, c.piece));
        check_alive(port);
        REQUIRE_FALSE(server.exited());
    }

    for (SlowClient& s : slow) {
        INFO("case: " << s.name);
        const raw_http::Reply reply = s.connection->receive();
        const auto waited = std::chrono::steady_clock::now() - started;
        INFO("after " << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() << " ms: status " << reply.status << " " << reply.body);
        CHECK_FALSE(reply.timed_out);                         // closed, not left hanging
        CHECK((reply.status == 0 || reply.status == 408));  // closed without a word, or told it timed out
        CHECK(waited < 42s);                                  // within the 30 s read timeout (and some slack)
        check_alive(port);
    }
    CHECK(cases.size() + slow.size() >= 25);
    INFO(server.log());
    CHECK_FALSE(server.exited());
}
