#include "server/rooms/room_directory.hpp"

namespace fc::rooms {

std::string_view to_string(LeaveReason r) {
    switch (r) {
    case LeaveReason::left:
        return "left";
    case LeaveReason::disconnected:
        return "disconnected";
    case LeaveReason::replaced:
        return "replaced";
    }
    return "left";
}

} // namespace fc::rooms
