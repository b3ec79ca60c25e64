package dev.bpf4j.cli;

import dev.bpf4j.BpfException;
import dev.bpf4j.BtfObject;
import dev.bpf4j.BtfObjectInfo;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** bpf4j btf: BTF objects loaded in the kernel. */
@Command(name = "btf", mixinStandardHelpOptions = true, description = "List BTF objects.",
        subcommands = {BtfCommand.ListBtf.class})
final class BtfCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every BTF object in the kernel.")
    static final class ListBtf extends CommandBase {
        @Override
        public void run() {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int id : BtfObject.ids()) {
                try (BtfObject btf = BtfObject.byId(id)) {
                    BtfObjectInfo info = btf.info();
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", info.id());
                    m.put("name", info.name());
                    m.put("size", info.size());
                    m.put("kernel", info.kernel());
                    rows.add(m);
                } catch (BpfException gone) {
                    // freed between listing and opening
                }
            }
            if (json) {
                out().println(Json.write(rows));
            } else {
                Table table = new Table("ID", "NAME", "SIZE", "KERNEL");
                rows.forEach(r -> table.row(r.get("id"), r.get("name").toString().isEmpty() ? "-" : r.get("name"),
                        r.get("size"), r.get("kernel")));
                table.print(out());
            }
            out().flush();
        }
    }
}
