#pragma once
/// Files the testbed (running as root) creates in places others may write
/// to: never through a path someone planted. Folders come from mkdtemp;
/// files are opened O_CREAT|O_EXCL|O_NOFOLLOW, or, for a report the user
/// names, O_NOFOLLOW and only over a file of the same owner.

#include <optional>
#include <string>
#include <string_view>

#include "base/fd.h"

namespace testbed {

/// Checks that `root` is a folder a run folder may be made in, and returns
/// its canonical path: a real folder (not a link) of this user or root,
/// that nobody else may write to unless it has the sticky bit and belongs
/// to root (/tmp); every folder above it the same, so nobody but this
/// user and root can rename what the testbed makes there. A missing `root`
/// is created, 0700, once the folders above it passed. Throws Error saying
/// what is wrong, and then changes nothing.
std::string trusted_folder_root(const std::string& root);

/// A folder the testbed made and holds open. `path` is what people and
/// programs are shown; `io()` reaches the same folder through the
/// descriptor (/proc/self/fd/N), so whatever is done to `path` after the
/// folder was made, the testbed's own files land in the folder it made.
struct HeldFolder {
    std::string path;
    Fd fd;
    /// "/proc/self/fd/N", or "" when nothing is held.
    std::string io() const;
};

/// A new folder `root/PREFIX-XXXXXX` (mkdtemp, 0700), never an existing
/// one, opened (O_DIRECTORY|O_NOFOLLOW) and checked to be this user's and
/// 0700. `root` comes from trusted_folder_root.
HeldFolder make_unique_folder(const std::string& root, const std::string& prefix);

/// Opens a folder this user owns, 0700 and not a link, as a HeldFolder.
/// Throws Error naming what is wrong.
HeldFolder hold_own_folder(const std::string& path);

/// A new file, 0600; throws SystemError when the path exists in any form.
Fd create_new_file(const std::string& path);

/// An octal file mode ("0644", "640") with no bits outside `allowed` (by
/// default read and write only; never set-id or sticky); nullopt otherwise.
std::optional<unsigned> parse_file_mode(std::string_view text, unsigned allowed = 0666);

/// A report the user names: created 0600 (`mode` when given), or an
/// existing regular file of this user truncated; never through a link,
/// never someone else's file.
Fd create_report_file(const std::string& path, unsigned mode = 0600);

}  // namespace testbed
