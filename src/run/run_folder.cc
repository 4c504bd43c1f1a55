#include "run/run_folder.h"

#include <fmt/core.h>
#include <sys/stat.h>

#include <cerrno>

#include "base/error.h"
#include "base/file.h"
#include "base/safe_file.h"
#include "model/template.h"

namespace testbed {
namespace {

/// `path`'s folder, made (0700) when missing, part by part below `root`.
void make_parents(const std::string& root, const std::string& path) {
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
        const std::string folder = root + "/" + path.substr(0, slash);
        if (::mkdir(folder.c_str(), 0700) == 0) continue;
        struct stat st {};
        // Only this run writes here: an existing entry is a folder made for
        // an earlier file, unless a file of the same name came first.
        if (errno != EEXIST || ::lstat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
            throw_errno(fmt::format("mkdir({}, 0700)", folder));
    }
}

}  // namespace

std::string make_run_folder(const std::string& log_dir) {
    std::string dir = log_dir + "/run";
    if (::mkdir(dir.c_str(), 0700) != 0) throw_errno(fmt::format("mkdir({}, 0700)", dir));
    return dir;
}

void write_new_file(const std::string& path, const std::string& content, unsigned mode) {
    const Fd fd = create_new_file(path);
    if (!write_all(fd.get(), content)) throw_errno(fmt::format("write({})", path));
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0)
        throw_errno(fmt::format("fchmod({}, {:04o})", path, mode));
}

void write_run_files(const std::string& run_dir, const std::vector<FileSpec>& files,
                     const std::map<std::string, std::string>& values) {
    for (const auto& f : files) {
        make_parents(run_dir, f.path);
        write_new_file(run_dir + "/" + f.path, substitute(f.content, values, Escapes::resolve),
                       f.mode);
    }
}

}  // namespace testbed
