#include "models/iommufd/errno.h"

namespace iommufd {

const char* errno_name(Errno e) {
    switch (e) {
        case Errno::Ok: return "OK";
        case Errno::Perm: return "EPERM";
        case Errno::NoEnt: return "ENOENT";
        case Errno::NoMem: return "ENOMEM";
        case Errno::Fault: return "EFAULT";
        case Errno::Busy: return "EBUSY";
        case Errno::Exist: return "EEXIST";
        case Errno::Inval: return "EINVAL";
        case Errno::NoSpc: return "ENOSPC";
        case Errno::Overflow: return "EOVERFLOW";
        case Errno::MsgSize: return "EMSGSIZE";
        case Errno::OpNotSupp: return "EOPNOTSUPP";
        case Errno::AddrInUse: return "EADDRINUSE";
    }
    return "E?";
}

}  // namespace iommufd
