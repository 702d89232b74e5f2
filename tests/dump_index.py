#!/usr/bin/python3
"""tests/dump_index.py: print everything an Arkivar index holds, one line per fact, in a
fixed order, so two indexes can be compared with cmp: every document (docid, data as hex,
values, terms with wdf and positions), the metadata (document records), the spelling table
(words and frequencies) and the database statistics. Used by tests/t_threads.sh.
Needs Debian's python3-xapian.  usage: tests/dump_index.py INDEX_DIR"""
import sys

import xapian

db = xapian.Database(sys.argv[1])
out = sys.stdout
out.write("doccount %d lastdocid %d avlength %.6f\n"
          % (db.get_doccount(), db.get_lastdocid(), db.get_avlength()))
for pi in db.postlist(""):
    did = pi.docid
    doc = db.get_document(did)
    out.write("doc %d data %s\n" % (did, doc.get_data().hex()))
    for v in doc.values():
        out.write("doc %d value %d %s\n" % (did, v.num, v.value.hex()))
    for t in doc.termlist():
        pos = ",".join(str(p) for p in db.positionlist(did, t.term))
        out.write("doc %d term %s wdf %d pos %s\n" % (did, t.term.hex(), t.wdf, pos))
for k in db.metadata_keys():
    out.write("meta %s %s\n" % (k.hex(), db.get_metadata(k).hex()))
for s in db.spellings():
    out.write("spelling %s %d\n" % (s.term.hex(), s.termfreq))
