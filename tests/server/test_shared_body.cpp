// SharedBody: owned strings and views of shared bytes, written by Beast with an exact Content-Length.
#include "server/http.hpp"

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
