// SharedBody: owned strings and views of shared bytes, written by Beast with an exact Content-Length.
#include "server/http/http.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>

using namespace server;

TEST_CASE("A shared body keeps its owners alive and serialises its pieces in order", "[stream]") {
    auto cached = std::make_shared<const std::string>(std::string(100000, 'x'));
    std::weak_ptr<const std::string> watch = cached;
    Response response{http::status::ok, 11};
    response.body() = std::string("[");
    response.body().append_view(*cached, cached);
    for (int i = 0; i < 200; ++i) response.body().append_view(",");  // more pieces than one batch
    response.body().append(std::string(20, 'o'));
    response.prepare_payload();
    cached.reset();
    REQUIRE_FALSE(watch.expired());  // held by the body
    CHECK(response.body().size() == 1 + 100000 + 200 + 20);
    CHECK(response.body().owned_bytes() == 21);
    CHECK(response[http::field::content_length] == std::to_string(response.body().size()));
    const std::string expected = "[" + std::string(100000, 'x') + std::string(200, ',') + std::string(20, 'o');
    CHECK(body_text(response) == expected);

    std::ostringstream wire;
    wire << response;
    CHECK(wire.str().substr(wire.str().size() - expected.size()) == expected);

    // A copy owns copies of the owned pieces and shares the views.
    Response copy = response;
    response.body().clear();
    CHECK(response.body().empty());
    CHECK(body_text(copy) == expected);
    CHECK_FALSE(watch.expired());
    copy = Response{};
    CHECK(watch.expired());

    Response text{http::status::ok, 11};
    text.body() = std::string("hello");
    text.prepare_payload();
    CHECK(body_text(text) == "hello");
    CHECK(text[http::field::content_length] == "5");
}

TEST_CASE("serialize_header writes the status line and fields as Beast does", "[stream]") {
    auto check = [](const Response& response) {
        std::ostringstream beast;
        beast << response;
        std::string ours;
        serialize_header(response, ours);
        ours += body_text(response);
        CHECK(ours == beast.str());
    };
    Response ok{http::status::ok, 11};
    ok.set(http::field::content_type, "application/geo+json");
    ok.set("Content-Crs", "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    ok.set(http::field::etag, "\"abc-gz\"");
    ok.keep_alive(true);
    ok.body() = std::string("{}");
    ok.prepare_payload();
    check(ok);
    Response old{http::status::not_modified, 10};
    old.keep_alive(true);
    check(old);
    Response closing{http::status::request_header_fields_too_large, 11};
    closing.keep_alive(false);
    closing.body() = std::string("{\"code\":\"RequestHeaderFieldsTooLarge\"}");
    closing.prepare_payload();
    check(closing);
    Response custom{http::status::ok, 11};
    custom.reason("Fine");
    check(custom);
}
