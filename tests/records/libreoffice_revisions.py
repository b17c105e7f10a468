"""Run by Debian's python3 (which has LibreOffice's `uno` module), not by pytest: open a .docx in headless
LibreOffice, accept or reject every tracked change as a person would (the Edit > Track Changes commands),
and print each paragraph's style and text as JSON.

    python3 libreoffice_revisions.py accept|reject FILE.docx PROFILE_DIR
"""
import json
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue


def _property(name, value):
    found = PropertyValue()
    found.Name, found.Value = name, value
    return found


def main(mode, path, profile):
    pipe = f"navette-{uuid.uuid4().hex}"
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        context = None
        for _ in range(240):  # LibreOffice's first start in a new profile takes a few seconds
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.25)
        if context is None:
            raise SystemExit("LibreOffice did not start")
        manager = context.ServiceManager
        desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                                (_property("Hidden", True),))
        revisions = document.Redlines.Count
        command = ".uno:AcceptAllTrackedChanges" if mode == "accept" else ".uno:RejectAllTrackedChanges"
        manager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context).executeDispatch(
            document.CurrentController.Frame, command, "", 0, ())
        paragraphs = []
        found = document.Text.createEnumeration()
        while found.hasMoreElements():
            paragraph = found.nextElement()
            paragraphs.append([paragraph.ParaStyleName, paragraph.getString()])
        document.close(True)
        print(json.dumps({"revisions": revisions, "paragraphs": paragraphs}, ensure_ascii=False))
    finally:
        office.terminate()
        office.wait(30)


if __name__ == "__main__":
    main(*sys.argv[1:4])
