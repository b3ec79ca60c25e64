package dev.bpf4j.cli;

import dev.bpf4j.BpfException;
import dev.bpf4j.Link;
import dev.bpf4j.LinkInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** bpf4j link: the kernel's links (program attachments held by an fd or a pin). */
@Command(name = "link", mixinStandardHelpOptions = true, description = "List and show links.",
        subcommands = {LinkCommand.ListLinks.class, LinkCommand.Show.class})
final class LinkCommand {

    static Map<String, Object> describe(LinkInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", info.id());
        m.put("type", info.type() == null ? "unknown(" + info.typeValue() + ")" : info.type().name().toLowerCase());
        m.put("prog_id", info.progId());
        return m;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every link.")
    static final class ListLinks extends CommandBase {
        @Override
        public void run() {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int id : Link.ids()) {
                try (Link link = Link.byId(id)) {
                    rows.add(describe(link.info()));
                } catch (BpfException gone) {
                    // detached between listing and opening
                }
            }
            if (json) {
                out().println(Json.write(rows));
            } else {
                Table table = new Table("ID", "TYPE", "PROG");
                rows.forEach(r -> table.row(r.get("id"), r.get("type"), r.get("prog_id")));
                table.print(out());
            }
            out().flush();
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one link.")
    static final class Show extends CommandBase {
        @Parameters(paramLabel = "LINK", description = "id or pinned:PATH")
        String ref;

        @Override
        public void run() {
            Link link;
            if (ref.startsWith("pinned:")) {
                link = Link.pinned(Path.of(ref.substring("pinned:".length())));
            } else {
                try {
                    link = Link.byId(Integer.parseInt(ref));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("link '" + ref + "': expected an id or pinned:PATH");
                }
            }
            try (link) {
                printObject(describe(link.info()));
            }
        }
    }
}
