from asyncdoctor.cli import main

raise SystemExit(main())
