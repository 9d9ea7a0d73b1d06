// The errors iommufd operations return, with Linux's numbers (include/uapi/asm-generic/
// errno-base.h and errno.h), so that an op log reads like strace and a test can say
// exactly which error Linux gives for the same input. Enumerators drop the E (EPERM is
// Errno::Perm) because <cerrno> defines the E-names as macros; errno_name() gives them.
#pragma once

#include <string>

namespace iommufd {

enum class Errno : int {
    Ok = 0,
    Perm = 1,
    NoEnt = 2,
    NoMem = 12,
    Fault = 14,
    Busy = 16,
    Exist = 17,
    Inval = 22,
    NoSpc = 28,
    Overflow = 75,
    MsgSize = 90,
    OpNotSupp = 95,
    AddrInUse = 98,
};

// "EEXIST", ..., "OK".
const char* errno_name(Errno e);

}  // namespace iommufd
