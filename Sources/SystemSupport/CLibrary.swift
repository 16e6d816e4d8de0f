#if canImport(Glibc)
import Glibc
#endif

/// Functions of the C library that Swift's Glibc module leaves out (they sit behind
/// `_GNU_SOURCE` or in headers it does not include): looked up in the process by name.
enum CLibrary {
    static func function<F>(_ name: String, as type: F.Type) -> F? {
        #if canImport(Glibc)
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
        #else
        return nil
        #endif
    }
}
