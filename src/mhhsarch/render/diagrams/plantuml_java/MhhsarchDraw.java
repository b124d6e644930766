// mhhsarch's PlantUML driver (see render/diagrams/plantuml_jvm.py).
//
//   java -cp mhhsarch-plantuml.jar:plantuml.jar MhhsarchDraw OUT_DIR svg,png THREADS A.puml B.puml ...
//
// PlantUML's command line reads and lays out a diagram once for every output format;
// this reads each file once, builds the diagram once and writes every format of every
// page from it (BP001.svg, BP001.png, BP001_001.svg, ...: the names the command line
// gives). THREADS diagrams are drawn at a time, in one JVM (as PlantUML's own -nbthread
// does): one JVM's compiler and heap serve them all. Each file is written under a
// temporary name and renamed, so a file that exists is complete. A diagram PlantUML
// cannot read is named on stderr and makes the exit status 1; the others are still drawn.

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.imageio.ImageIO;

import net.sourceforge.plantuml.BlockUml;
import net.sourceforge.plantuml.ErrorUml;
import net.sourceforge.plantuml.FileFormat;
import net.sourceforge.plantuml.FileFormatOption;
import net.sourceforge.plantuml.ISkinParam;
import net.sourceforge.plantuml.SourceStringReader;
import net.sourceforge.plantuml.StringUtils;
import net.sourceforge.plantuml.core.Diagram;
import net.sourceforge.plantuml.error.PSystemError;
import net.sourceforge.plantuml.graphic.HtmlColor;
import net.sourceforge.plantuml.preproc.Defines;
import net.sourceforge.plantuml.sequencediagram.SequenceDiagram;
import net.sourceforge.plantuml.sequencediagram.graphic.FileMaker;
import net.sourceforge.plantuml.sequencediagram.graphic.SequenceDiagramFileMakerPuma2;
import net.sourceforge.plantuml.skin.rose.Rose;

public final class MhhsarchDraw {

	public static void main(String[] args) throws Exception {
		if (args.length < 3) {
			System.err.println("usage: MhhsarchDraw OUT_DIR svg,png THREADS FILE.puml ...");
			System.exit(2);
		}
		final File out = new File(args[0]);
		final String[] names = args[1].split(",");
		final FileFormat[] formats = new FileFormat[names.length];
		for (int i = 0; i < names.length; i++) {
			formats[i] = FileFormat.valueOf(names[i].toUpperCase());
		}
		// an ImageOutputStream in memory, not a temporary file per picture; the faster writer
		ImageIO.setUseCache(false);
		MhhsarchPng.install();
		final ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Integer.parseInt(args[2])));
		final AtomicInteger failed = new AtomicInteger();
		final List<Future<?>> drawn = new ArrayList<Future<?>>();
		for (int i = 3; i < args.length; i++) {
			final File source = new File(args[i]);
			final String stem = source.getName().replaceFirst("\\.puml$", "");
			drawn.add(pool.submit(new Runnable() {
				public void run() {
					try {
						draw(source, stem, out, formats);
					} catch (IllegalArgumentException error) {
						System.err.println("error: " + stem + ": " + error.getMessage());
						failed.incrementAndGet();
					} catch (Exception | StackOverflowError error) {
						System.err.println("error: " + stem + ": " + error);
						failed.incrementAndGet();
					}
				}
			}));
		}
		for (Future<?> each : drawn) {
			each.get();
		}
		pool.shutdown();
		System.exit(failed.get() == 0 ? 0 : 1);
	}

	private static void draw(File source, String stem, File out, FileFormat[] formats) throws Exception {
		final String text = new String(Files.readAllBytes(source.toPath()), StandardCharsets.UTF_8);
		final List<BlockUml> blocks = new SourceStringReader(Defines.createEmpty(), text, "UTF-8",
				Collections.<String>emptyList()).getBlocks();
		if (blocks.size() != 1) {
			throw new IllegalArgumentException(blocks.size() + " diagrams in one file");
		}
		final Diagram diagram = blocks.get(0).getDiagram();
		if (diagram instanceof PSystemError) {
			final StringBuilder why = new StringBuilder("PlantUML cannot read it:");
			for (ErrorUml error : ((PSystemError) diagram).getErrorsUml()) {
				// the line in the .puml file, counted from 1 like an editor
				why.append(" line ").append(error.getLineLocation().getPosition() + 1).append(": ").append(error.getError());
			}
			throw new IllegalArgumentException(why.toString());
		}
		final FileMaker[] makers = sequenceMakers(diagram, formats);
		// counted once: for a sequence diagram, getNbImages() is a layout of its own
		final int pages = makers != null ? makers[0].getNbPages() : diagram.getNbImages();
		for (int page = 0; page < pages; page++) {
			final String name = page == 0 ? stem : String.format("%s_%03d", stem, page);
			for (int f = 0; f < formats.length; f++) {
				final File target = new File(out, name + formats[f].getFileSuffix());
				final File partial = new File(out, "." + target.getName() + ".part");
				try (OutputStream stream = new BufferedOutputStream(new FileOutputStream(partial))) {
					if (makers != null) {
						makers[f].createOne(stream, page, false);
					} else {
						diagram.exportDiagram(stream, page, new FileFormatOption(formats[f], false));
					}
				}
				Files.move(partial.toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING);
			}
		}
	}

	/**
	 * A sequence diagram's page maker for each format, made once: PlantUML's exportDiagram
	 * makes one for every page it writes, and making it is the layout of the whole diagram
	 * (a diagram drawn in three parts was laid out three times per format). The option is
	 * the one exportDiagram passes (UmlDiagram.exportDiagramNow); false: no metadata (the
	 * source, PlantUML's version, the Java runtime) in the files. Null where this does not
	 * apply (another kind of diagram, the teoz layout, or a PlantUML whose internals
	 * differ): the diagram is then exported page by page.
	 */
	private static FileMaker[] sequenceMakers(Diagram diagram, FileFormat[] formats) {
		if (!(diagram instanceof SequenceDiagram)) {
			return null;
		}
		final SequenceDiagram sequence = (SequenceDiagram) diagram;
		try {
			final Method teoz = SequenceDiagram.class.getDeclaredMethod("modeTeoz");
			teoz.setAccessible(true);
			if ((Boolean) teoz.invoke(sequence)) {
				return null;
			}
			final Field skin = SequenceDiagram.class.getDeclaredField("skin2");
			skin.setAccessible(true);
			final Rose rose = (Rose) skin.get(sequence);
			final ISkinParam param = sequence.getSkinParam();
			final FileMaker[] makers = new FileMaker[formats.length];
			for (int f = 0; f < formats.length; f++) {
				FileFormatOption option = new FileFormatOption(formats[f], false);
				final HtmlColor hover = param.getHoverPathColor();
				if (option.getSvgLinkTarget() == null || option.getSvgLinkTarget().equals("_top")) {
					option = option.withSvgLinkTarget(param.getSvgLinkTarget());
				}
				option = option.withPreserveAspectRatio(param.getPreserveAspectRatio());
				option = option.withTikzFontDistortion(param.getTikzFontDistortion());
				if (hover != null) {
					option = option.withHoverColor(StringUtils.getAsHtml(param.getColorMapper().getMappedColor(hover)));
				}
				makers[f] = new SequenceDiagramFileMakerPuma2(sequence, rose, option);
			}
			return makers;
		} catch (ReflectiveOperationException | RuntimeException error) {
			return null;
		}
	}
}
