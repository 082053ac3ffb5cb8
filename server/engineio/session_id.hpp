// Session ids: 16 bytes from OpenSSL's CSPRNG as base64url (22 characters),
// so a sid cannot be guessed to hijack someone's polling session.
#pragma once

#include <string>

namespace fc::engineio {

std::string random_id(std::size_t bytes = 16);

} // namespace fc::engineio
