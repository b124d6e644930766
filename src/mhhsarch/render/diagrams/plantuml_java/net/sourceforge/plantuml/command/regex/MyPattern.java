// SPDX-License-Identifier: GPL-3.0-or-later
//
// PlantUML 1.2020.2's MyPattern (Debian package plantuml 1:1.2020.2+ds-3, GPL source
// distribution), with one change: a pattern is compiled once and kept, instead of on
// every call. PlantUML's text parser (creole) builds its commands, and so compiles about
// twenty regular expressions, for every line of text it draws; with this class the JVM
// spends a third less time on mhhsarch's sequence diagrams (PNG and SVG byte-identical).
// Only used when the installed plantuml.jar holds exactly the class this copies
// (render/diagrams/plantuml_jvm.py checks its sha256). Pattern2 and java.util.regex.Pattern
// are immutable, so sharing them is safe.

package net.sourceforge.plantuml.command.regex;

import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

public abstract class MyPattern {

	private static final ConcurrentHashMap<String, Pattern2> COMPILED = new ConcurrentHashMap<String, Pattern2>();

	public static Pattern2 cmpile(String p) {
		return compiled(p, 0);
	}

	public static Pattern2 cmpileNockeck(String p) {
		return compiled(p, 0);
	}

	public static Pattern2 cmpile(String p, int type) {
		return compiled(p, type);
	}

	public static Pattern2 cmpileNockeck(String p, int type) {
		return compiled(p, type);
	}

	private static Pattern2 compiled(String p, int type) {
		final String key = type + ":" + p;
		Pattern2 found = COMPILED.get(key);
		if (found == null) {
			found = new Pattern2(Pattern.compile(transform(p), type));
			COMPILED.putIfAbsent(key, found);
		}
		return found;
	}

	private static String transform(String p) {
		p = p.replaceAll("%s", "\\\\s\u00A0");
		p = p.replaceAll("%q", "'\u2018\u2019");
		p = p.replaceAll("%g", "\"\u201C\u201D\u00AB\u00BB");
		return p;
	}

	public static boolean mtches(CharSequence input, String regex) {
		return cmpile(regex).matcher(input).matches();
	}

	public static CharSequence removeAll(CharSequence src, String regex) {
		return src.toString().replaceAll(transform(regex), "");
	}
}
