// JSON text from outside bytes (model/json_text.h): never an exception.

#include "model/json_text.h"

#include <doctest/doctest.h>

using namespace testbed;

TEST_CASE("json_text: invalid UTF-8 becomes U+FFFD, valid text is kept") {
    const nlohmann::json value = {{"payload", "ok \xc3\x97 \xff"}};
    CHECK(json_text(value) == "{\"payload\":\"ok \xc3\x97 \xef\xbf\xbd\"}");
    CHECK_THROWS(value.dump());  // what nlohmann does by default, and why this exists
    CHECK(json_text(nlohmann::json{{"a", 1}}, 2) == "{\n  \"a\": 1\n}");
}
